package io.mayaningest.pipeline;

import java.util.ArrayList;
import java.util.List;

import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.Resolver.Lookup;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * The lookups that turn an item's names into Mayan ids before anything is uploaded: document type by
 * label, metadata types by name (with their attachment to the type), tags by label, cabinets by full
 * path. The {@code validate} route calls each as a Content Enricher ({@code enrich(uri, }{@link #FOUND_STRATEGY}{@code )}),
 * so the flow source → lookups → validate → upload → await-file → enrich is visible as routes.
 * <p>
 * Each route takes the {@link IngestRequest} and answers a {@link Lookup} (the id found, the problems).
 * The reading is {@code MayanLookups}': every page of the list, exact matches (Mayan's {@code filter_*}
 * is fuzzy), cached for {@code mayan.lookup-cache-ttl} and read once more on a miss. They are here,
 * not in {@code mayan/}, because their body is the pipeline's request.
 * <p>
 * No error handler of their own: a transient Mayan failure propagates through {@code enrich} to the
 * source route, whose policy retries the item, as for every pipeline step.
 */
@ApplicationScoped
public class LookupRoutes extends RouteBuilder {

    public static final String LOOKUP_DOCUMENT_TYPE = "direct:lookup-document-type";
    public static final String LOOKUP_METADATA_TYPES = "direct:lookup-metadata-types";
    public static final String LOOKUP_TAGS = "direct:lookup-tags";
    public static final String LOOKUP_CABINETS = "direct:lookup-cabinets";

    public static final String LOOKUP_DOCUMENT_TYPE_ROUTE = "lookup-document-type";
    public static final String LOOKUP_METADATA_TYPES_ROUTE = "lookup-metadata-types";
    public static final String LOOKUP_TAGS_ROUTE = "lookup-tags";
    public static final String LOOKUP_CABINETS_ROUTE = "lookup-cabinets";

    /** Exchange property: the {@link Lookup}s found so far for the item, in the order of the routes. */
    public static final String FOUND = "MayanLookups";

    /** Keeps the item as the body, records what a lookup found, and applies the document type's id. */
    public static final AggregationStrategy FOUND_STRATEGY = LookupRoutes::found;

    private final Resolver resolver;

    public LookupRoutes(Resolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public void configure() {
        from(LOOKUP_DOCUMENT_TYPE).routeId(LOOKUP_DOCUMENT_TYPE_ROUTE).errorHandler(noErrorHandler())
                .bean(resolver, "documentType");
        from(LOOKUP_METADATA_TYPES).routeId(LOOKUP_METADATA_TYPES_ROUTE).errorHandler(noErrorHandler())
                .bean(resolver, "metadataTypes");
        from(LOOKUP_TAGS).routeId(LOOKUP_TAGS_ROUTE).errorHandler(noErrorHandler())
                .bean(resolver, "tags");
        from(LOOKUP_CABINETS).routeId(LOOKUP_CABINETS_ROUTE).errorHandler(noErrorHandler())
                .bean(resolver, "cabinets");
    }

    static Exchange found(Exchange original, Exchange resource) {
        Lookup lookup = resource.getMessage().getBody(Lookup.class);
        if (lookup == null) {
            return original;
        }
        if (lookup.documentTypeId() > 0) {
            original.getMessage().getBody(IngestRequest.class).setDocumentTypeId(lookup.documentTypeId());
        }
        @SuppressWarnings("unchecked")
        List<Lookup> found = original.getProperty(FOUND, List.class);
        if (found == null) {
            found = new ArrayList<>();
            original.setProperty(FOUND, found);
        }
        found.add(lookup);
        return original;
    }
}
