package io.mayaningest.routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;

/**
 * What {@code mock:mayan} answers in place of the Camel HTTP endpoint of route {@code mayan-http}:
 * the reply of a scripted rule when one matches the call's method and path, else the reply of the
 * Mayan test double through the original endpoint (so lookups, uploads and metadata still meet a
 * Mayan that keeps state). Every call is recorded with the status it got.
 */
final class MayanMock implements Processor {

    record Call(String method, String path, int status, long nanos, boolean scripted) {
    }

    private record Rule(String method, Pattern path, Reply reply, int[] left) {
    }

    /** A scripted answer: status, JSON body (or null) and extra headers. */
    record Reply(int status, String json, Map<String, String> headers) {
        static Reply of(int status, String json) {
            return new Reply(status, json, Map.of());
        }
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final ProducerTemplate template;
    private final String real;

    MayanMock(ProducerTemplate template, String real) {
        this.template = template;
        this.real = real;
    }

    /** Answers the next {@code times} calls matching method and path (regex on the path below /api/v4/); -1: always. */
    MayanMock when(String method, String pathRegex, int times, Reply reply) {
        rules.add(new Rule(method, Pattern.compile(pathRegex), reply, new int[] { times }));
        return this;
    }

    void reset() {
        rules.clear();
        calls.clear();
    }

    List<Call> calls(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        List<Call> found = new ArrayList<>();
        for (Call c : calls) {
            if (c.method().equals(method) && p.matcher(c.path()).matches()) {
                found.add(c);
            }
        }
        return found;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        String method = in.getHeader(Exchange.HTTP_METHOD, String.class);
        String path = in.getHeader(Exchange.HTTP_PATH, String.class).replaceFirst("^/?api/v4/", "");
        Rule rule = take(method, path);
        if (rule == null) {
            template.send(real, exchange);
            calls.add(new Call(method, path, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0,
                    Integer.class), System.nanoTime(), false));
            return;
        }
        Reply reply = rule.reply();
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        in.setHeader("Content-Type", "application/json");
        reply.headers().forEach(in::setHeader);
        in.setBody(reply.json());
        calls.add(new Call(method, path, reply.status(), System.nanoTime(), true));
    }

    private synchronized Rule take(String method, String path) {
        for (Rule r : rules) {
            if (r.method().equals(method) && r.path().matcher(path).matches() && r.left()[0] != 0) {
                if (r.left()[0] > 0) {
                    r.left()[0]--;
                }
                return r;
            }
        }
        return null;
    }
}
