package io.mayaningest.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The uploads of this process whose file is not confirmed yet, in the order Mayan accepted them, and the
 * items held until every upload before theirs has left. Mayan's Celery processes uploads first in, first
 * out, so while files we uploaded before an item are still outstanding, the item's own file is behind
 * them and looking at it costs a call for nothing. One per process (one Mayan), shared by every source.
 * An item leaves when its file is confirmed or its exchange ends in any way, so a failed or quarantined
 * item never holds the others back.
 *
 * <p>Hand-written: no Camel EIP holds an exchange until other exchanges have reached a step (the
 * resequencer reorders messages, it does not wait on their progress). A held item is woken the moment
 * the last upload ahead of it leaves, not at the next tick of a timer: with a tick of 50 ms the held
 * items formed a chain that advanced one item per tick, and the service fell from 40 to 14 documents/s
 * on the test double, whose processing is concurrent rather than a queue.
 */
final class UploadOrder {

    /** A held item. */
    interface Waiter {
        /** It may go on: {@code capped} when it goes although uploads before it are outstanding. */
        void wake(boolean capped);

        /** Whether it has waited as long as it may although uploads before it are outstanding. */
        boolean overdue();
    }

    private long next;
    private final TreeSet<Long> outstanding = new TreeSet<>();
    private final TreeMap<Long, Waiter> held = new TreeMap<>();
    /**
     * Outstanding uploads that hold the ones after them: those Mayan had not finished at a look, and those
     * held, unless passed. An upload not looked at yet holds nobody: against a Mayan that processes files side by side
     * (the test double), the file ahead is usually found at its own first look, and holding behind
     * every outstanding upload chained the items one behind the other.
     */
    private final TreeSet<Long> holders = new TreeSet<>();
    /**
     * Outstanding uploads that hold nobody any more: those ahead of an item that went on capped (taken
     * out of holders, and never put back by a later miss or hold). One that Mayan never processes (a lost
     * Celery task) would else hold every later item for a cap each, until its own mayan.file-timeout.
     */
    private final Set<Long> passed = new HashSet<>();
    /** No item has left yet: a held item's cap counts from its own upload. */
    private volatile long lastProgress = Long.MIN_VALUE;

    synchronized long accepted() {
        long seq = ++next;
        outstanding.add(seq);
        return seq;
    }

    synchronized boolean anyAhead(long seq) {
        return holders.lower(seq) != null;
    }

    /**
     * Holds the item if an upload before it is outstanding, until the last of those leaves; false (and
     * nothing kept) when none is.
     */
    synchronized boolean hold(long seq, Waiter waiter) {
        if (!anyAhead(seq)) {
            return false;
        }
        held.put(seq, waiter);
        holdsFromNowOn(seq);
        return true;
    }

    /** Mayan had not finished the upload at a look: it holds the uploads after it from now on. */
    synchronized void missed(long seq) {
        if (outstanding.contains(seq)) {
            holdsFromNowOn(seq);
        }
    }

    private void holdsFromNowOn(long seq) {
        if (!passed.contains(seq)) {
            holders.add(seq);
        }
    }

    void resolved(long seq) {
        Waiter first = null;
        synchronized (this) {
            if (!outstanding.remove(seq)) {
                return;
            }
            lastProgress = System.nanoTime();
            held.remove(seq);
            holders.remove(seq);
            passed.remove(seq);
            // Only the oldest upload that still holds others has none ahead: wake it if it is held.
            if (!holders.isEmpty()) {
                first = held.remove(holders.first());
            }
        }
        if (first != null) {
            first.wake(false);
        }
    }

    /** Wakes, capped, the held items that are overdue. */
    void wakeOverdue() {
        List<Waiter> woken = new ArrayList<>();
        synchronized (this) {
            var entries = held.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<Long, Waiter> entry = entries.next();
                if (entry.getValue().overdue()) {
                    woken.add(entry.getValue());
                    entries.remove();
                    SortedSet<Long> ahead = outstanding.headSet(entry.getKey());
                    passed.addAll(ahead);
                    holders.removeAll(ahead);
                }
            }
        }
        woken.forEach(waiter -> waiter.wake(true));
    }

    /** System.nanoTime() when an item last left: while the queue moves, the items behind keep waiting. */
    long lastProgress() {
        return lastProgress;
    }

    synchronized int size() {
        return outstanding.size();
    }

    synchronized int heldCount() {
        return held.size();
    }
}
