package io.mayaningest.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** The {@link SourceAcknowledger} of each source kind. */
@ApplicationScoped
public class Acknowledgers {

    private final Instance<SourceAcknowledger> all;

    public Acknowledgers(Instance<SourceAcknowledger> all) {
        this.all = all;
    }

    public SourceAcknowledger forKind(String kind) {
        for (SourceAcknowledger a : all) {
            if (a.kind().equals(kind)) {
                return a;
            }
        }
        throw new UnsupportedOperationException("no source of kind " + kind);
    }
}
