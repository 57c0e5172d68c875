package io.mayaningest.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mayaningest.config.MayanConfig;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.core.LedgerState;
import io.mayaningest.mayan.MayanClient;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FileAwaiter's gate holds an item's first look at Mayan while files uploaded before it are outstanding
 * (Celery works in upload order), without a thread, and wakes it when they have left or its cap has
 * passed. Mayan here answers every look "not processed yet" and counts them.
 */
class FileAwaiterOrderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger looks = new AtomicInteger();
    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final FileAwaiter awaiter = new FileAwaiter(new MayanClient(config(), JSON, null) {
        @Override
        public JsonNode get(String path, Map<String, String> query) {
            looks.incrementAndGet();
            return JSON.createObjectNode().set("results", JSON.createArrayNode());
        }
    }, null, config());

    @AfterEach
    void stopCamel() throws Exception {
        camel.close();
    }

    @Test
    void anItemBehindAnOutstandingUploadIsHeldWithoutACallUntilItLeaves() throws Exception {
        Exchange first = uploaded();
        Exchange second = uploaded();
        // The first item's look: not processed yet, so it stays outstanding.
        assertGoesOn(first);
        awaiter.poll(first);
        assertEquals(1, looks.get());
        // The second is held by the gate, with no call to Mayan, as long as the first is outstanding.
        CountDownLatch secondGoesOn = gate(second);
        assertFalse(secondGoesOn.await(600, TimeUnit.MILLISECONDS), "held while the first is outstanding");
        assertEquals(1, looks.get());

        // The first item's exchange ends by failure (quarantined, say): the second goes on at once, waits
        // the gap, then looks.
        endByFailure(first);
        assertTrue(secondGoesOn.await(1, TimeUnit.SECONDS), "woken when the first left");
        awaiter.poll(second);
        assertEquals(1, looks.get());
        assertEquals(awaiter.gapDelay(), second.getProperty(FileAwaiter.NEXT_DELAY, Long.class));
        assertGoesOn(second);
        awaiter.poll(second);
        assertEquals(2, looks.get());
        // From then on, every poll is a look.
        assertGoesOn(second);
        awaiter.poll(second);
        assertEquals(3, looks.get());
    }

    @Test
    void onlyTheOldestOutstandingUploadIsWokenWhenOneAheadLeaves() throws Exception {
        Exchange first = uploaded();
        Exchange second = uploaded();
        Exchange third = uploaded();
        lookAndMiss(first);
        CountDownLatch secondGoesOn = gate(second);
        CountDownLatch thirdGoesOn = gate(third);
        endByFailure(first);
        assertTrue(secondGoesOn.await(1, TimeUnit.SECONDS));
        assertFalse(thirdGoesOn.await(400, TimeUnit.MILLISECONDS), "the second is still ahead of it");
        endByFailure(second);
        assertTrue(thirdGoesOn.await(1, TimeUnit.SECONDS));
        assertEquals(1, looks.get());
    }

    @Test
    void anUploadNotLookedAtYetHoldsNobody() throws Exception {
        Exchange first = uploaded();
        // Mayan may well have finished the first already (it processes files side by side): the second
        // is not held behind it until a look has found the first unfinished.
        assertGoesOn(uploaded());
        lookAndMiss(first);
        gate(uploaded());
    }

    @Test
    void aFailedPollReleasesTheNextAtOnce() throws Exception {
        Exchange first = uploaded();
        Exchange second = uploaded();
        lookAndMiss(first);
        CountDownLatch secondGoesOn = gate(second);
        // The first item times out (started long ago): its poll throws, and it holds nobody after that
        // although its exchange goes on (the source's redelivery).
        first.setProperty(FileAwaiter.STARTED, System.nanoTime() - Duration.ofMinutes(11).toNanos());
        assertThrows(RuntimeException.class, () -> awaiter.poll(first));
        assertEquals(2, looks.get());
        assertTrue(secondGoesOn.await(1, TimeUnit.SECONDS));
        // Released: the gap, then a look.
        awaiter.poll(second);
        assertEquals(2, looks.get());
        awaiter.poll(second);
        assertEquals(3, looks.get());
    }

    @Test
    void aStuckPredecessorHoldsTheNextOnlyUntilTheCap() throws Exception {
        Exchange first = uploaded();
        Exchange second = uploaded();
        lookAndMiss(first);
        // mayan.poll-max-delay (10 s) after its upload with no item leaving meanwhile, the second looks
        // although the first is still outstanding.
        second.setProperty(FileAwaiter.STARTED, System.nanoTime() - Duration.ofSeconds(10).toNanos());
        CountDownLatch secondGoesOn = gate(second);
        assertTrue(secondGoesOn.await(2, TimeUnit.SECONDS), "woken by the cap check");
        awaiter.poll(second);
        assertEquals(1, looks.get(), "it looks on Camel's delay threads, after the shortest delay");
        assertEquals(1L, second.getProperty(FileAwaiter.NEXT_DELAY, Long.class));
        awaiter.poll(second);
        assertEquals(2, looks.get());
        assertEquals(2, awaiter.order.size(), "both still outstanding: the cap only lets the second look");

        // The stuck one holds nobody any more: once the second has left, the next upload goes on at once.
        Exchange third = uploaded();
        CountDownLatch thirdGoesOn = gate(third);
        endByFailure(second);
        assertTrue(thirdGoesOn.await(1, TimeUnit.SECONDS), "woken although the stuck one is outstanding");
        endByFailure(third);
        assertGoesOn(uploaded());
    }

    @Test
    void whileItemsAheadLeaveTheQueueTheNextKeepsWaitingPastTheCap() throws Exception {
        Exchange stuck = uploaded();
        Exchange moving = uploaded();
        Exchange third = uploaded();
        lookAndMiss(stuck);
        // Uploaded 10 s ago, but an item ahead has just left: the queue moves, so no look yet.
        third.setProperty(FileAwaiter.STARTED, System.nanoTime() - Duration.ofSeconds(10).toNanos());
        endByFailure(moving);
        CountDownLatch thirdGoesOn = gate(third);
        assertFalse(thirdGoesOn.await(600, TimeUnit.MILLISECONDS));
        assertEquals(1, looks.get());
        assertEquals(2, awaiter.order.size(), "the stuck one and the third");
        assertEquals(1, awaiter.order.heldCount());
    }

    @Test
    void aResumedItemIsNeverHeldAndAnItemWithNoneAheadGoesOnAtOnce() {
        Exchange first = uploaded();
        Exchange resumed = exchange(false);
        assertGoesOn(resumed);
        awaiter.poll(resumed);
        assertEquals(1, looks.get());
        // The first had none ahead: its first poll is a look.
        assertGoesOn(first);
        awaiter.poll(first);
        assertEquals(2, looks.get());
    }

    /** The item's look finds its file unfinished. */
    private void lookAndMiss(Exchange exchange) {
        int before = looks.get();
        assertGoesOn(exchange);
        awaiter.poll(exchange);
        assertEquals(before + 1, looks.get());
    }

    /** The gate lets the exchange go on synchronously. */
    private void assertGoesOn(Exchange exchange) {
        AtomicBoolean sync = new AtomicBoolean();
        assertTrue(awaiter.gate().process(exchange, sync::set), "went on at once");
        assertTrue(sync.get());
    }

    /** Sends the exchange into the gate; the latch opens when it goes on. */
    private CountDownLatch gate(Exchange exchange) {
        CountDownLatch goesOn = new CountDownLatch(1);
        boolean sync = awaiter.gate().process(exchange, doneSync -> goesOn.countDown());
        assertFalse(sync, "held");
        return goesOn;
    }

    private Exchange uploaded() {
        return exchange(true);
    }

    /** An item whose upload Mayan has just accepted (uploadsHere), or one resumed after a restart. */
    private Exchange exchange(boolean uploadsHere) {
        IngestRequest item = new IngestRequest();
        item.setState(LedgerState.VALIDATED.name());
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(item);
        if (!uploadsHere) {
            item.setState(LedgerState.UPLOADED.name());
        }
        awaiter.uploading(exchange);
        item.setState(LedgerState.UPLOADED.name());
        item.setDocumentId(7L);
        item.setSha256("00");
        assertEquals(true, awaiter.pending(exchange));
        return exchange;
    }

    private static void endByFailure(Exchange exchange) {
        exchange.setException(new IllegalStateException("quarantined"));
        for (Synchronization done : exchange.getExchangeExtension().handoverCompletions()) {
            done.onFailure(exchange);
        }
    }

    private static MayanConfig config() {
        return (MayanConfig) Proxy.newProxyInstance(MayanConfig.class.getClassLoader(), new Class<?>[] {MayanConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "pollInitialDelay" -> Duration.ofMillis(500);
                    case "pollMaxDelay" -> Duration.ofSeconds(10);
                    case "fileTimeout" -> Duration.ofMinutes(10);
                    case "url" -> "http://127.0.0.1:1";
                    case "userAgent" -> Optional.of("test");
                    case "username", "password", "token" -> Optional.empty();
                    case "hashCode" -> 1;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
