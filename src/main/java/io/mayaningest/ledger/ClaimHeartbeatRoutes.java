package io.mayaningest.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * claims: every third of the lease, this replica renews the claims of the items it works on, so that a
 * long upload (a large file, a slow Mayan) keeps its item. A replica that dies stops renewing and its
 * items are free for another once the lease passed. Only with claims (a PostgreSQL ledger).
 */
@ApplicationScoped
public class ClaimHeartbeatRoutes extends RouteBuilder {

    public static final String ROUTE_ID = "ledger-claim-heartbeat";

    private final Ledger ledger;

    public ClaimHeartbeatRoutes(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void configure() {
        if (!ledger.claimsActive()) {
            return;
        }
        long period = Math.max(200, ledger.claimLease().toMillis() / 3);
        from("timer:" + ROUTE_ID + "?period=" + period).routeId(ROUTE_ID)
                .onException(Exception.class).handled(true)
                    .log(LoggingLevel.WARN, "The ledger could not renew this replica's claims (${exception.message});"
                            + " they expire unless a later renewal succeeds")
                .end()
                .bean(ledger, "renewClaims");
    }
}
