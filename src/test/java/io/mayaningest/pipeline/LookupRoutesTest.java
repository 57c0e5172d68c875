package io.mayaningest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.FakeMayanResource;
import io.mayaningest.core.IngestRequest;
import io.mayaningest.pipeline.Resolver.Lookup;
import io.mayaningest.pipeline.Resolver.Problem;
import io.mayaningest.testing.FakeMayan;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

/**
 * The lookup routes against the Mayan test double: every page read, exact matches, the cache (a hit
 * asks Mayan nothing, a miss reads the list once more), and the reason for a name Mayan lacks.
 */
@QuarkusTest
@WithTestResource(FakeMayanResource.class)
class LookupRoutesTest {

    private static final String TAG_FIRST_PAGES = "/api/v4/tags/\\?(.*&)?page=1(&.*)?";

    private final FakeMayan mayan = FakeMayanResource.mayan();

    @Inject
    ProducerTemplate producer;

    @Inject
    CamelContext camel;

    @Test
    void theLookupRoutesRun() {
        for (String id : List.of(LookupRoutes.LOOKUP_DOCUMENT_TYPE_ROUTE, LookupRoutes.LOOKUP_METADATA_TYPES_ROUTE,
                LookupRoutes.LOOKUP_TAGS_ROUTE, LookupRoutes.LOOKUP_CABINETS_ROUTE)) {
            assertThat(camel.getRouteController().getRouteStatus(id).isStarted()).as(id).isTrue();
        }
    }

    @Test
    void aTagOnTheSecondPageIsFoundAndAPrefixIsNoMatch() {
        String prefix = "lk-" + UUID.randomUUID();
        // More than Mayan's largest page (100): the last ones are only on page 2.
        for (int i = 0; i < 105; i++) {
            mayan.createTag(prefix + "-tag-" + i);
        }
        mayan.clearRequests();
        Lookup found = lookup(LookupRoutes.LOOKUP_TAGS, item(i -> i.getTags().add(prefix + "-tag-104")));
        assertThat(found.problems()).isEmpty();
        assertThat(mayan.count("GET", "/api/v4/tags/\\?(.*&)?page=2(&.*)?")).isPositive();

        // "<prefix>-tag-1" is a prefix of "-tag-10".."-tag-19" (and Mayan's filter_label would find it): not a match.
        mayan.createTag(prefix + "-other");
        Lookup prefixOnly = lookup(LookupRoutes.LOOKUP_TAGS, item(i -> i.getTags().add(prefix + "-tag")));
        assertThat(prefixOnly.problems()).extracting(Problem::field, Problem::fix)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tags", "create the tag in Mayan or correct the tags"));
        assertThat(prefixOnly.problems().get(0).reason())
                .startsWith("tag \"" + prefix + "-tag\" does not exist in Mayan; existing tags: ")
                .contains(prefix + "-tag-104");
    }

    @Test
    void aCacheHitAsksMayanNothingAndAMissReadsTheListOnceMore() {
        String known = "lk-known-" + UUID.randomUUID();
        mayan.createTag(known);
        assertThat(lookup(LookupRoutes.LOOKUP_TAGS, item(i -> i.getTags().add(known))).problems()).isEmpty();

        int reads = mayan.count("GET", TAG_FIRST_PAGES);
        assertThat(lookup(LookupRoutes.LOOKUP_TAGS, item(i -> i.getTags().add(known))).problems()).isEmpty();
        assertThat(mayan.count("GET", TAG_FIRST_PAGES)).as("a cached tag is not read again").isEqualTo(reads);

        // Created in Mayan after the list was cached: found without waiting for the cache to expire.
        String created = "lk-new-" + UUID.randomUUID();
        mayan.createTag(created);
        assertThat(lookup(LookupRoutes.LOOKUP_TAGS, item(i -> i.getTags().add(created))).problems()).isEmpty();
        assertThat(mayan.count("GET", TAG_FIRST_PAGES)).as("one more read for the miss").isEqualTo(reads + 1);

        String missing = "lk-missing-" + UUID.randomUUID();
        Lookup unknown = lookup(LookupRoutes.LOOKUP_TAGS, item(i -> i.getTags().add(missing)));
        assertThat(mayan.count("GET", TAG_FIRST_PAGES)).as("a missing tag is read once more, not more").isEqualTo(reads + 2);
        assertThat(unknown.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).startsWith("tag \"" + missing + "\" does not exist in Mayan; existing tags: ")
                    .contains(known, created);
            assertThat(p.fix()).isEqualTo("create the tag in Mayan or correct the tags");
        });
    }

    @Test
    void theDocumentTypeIsFoundByItsExactLabel() {
        String label = "lk-type-" + UUID.randomUUID();
        long id = mayan.createDocumentType(label + " extended");
        Lookup prefix = lookup(LookupRoutes.LOOKUP_DOCUMENT_TYPE, item(i -> i.setDocumentType(label)));
        assertThat(prefix.documentTypeId()).isZero();
        assertThat(prefix.problems()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("document_type");
            assertThat(p.reason()).startsWith("document type \"" + label + "\" does not exist in Mayan; existing types: ")
                    .contains(label + " extended");
            assertThat(p.fix()).isEqualTo("create the document type in Mayan or correct document_type / document-type");
        });

        Lookup exact = lookup(LookupRoutes.LOOKUP_DOCUMENT_TYPE, item(i -> i.setDocumentType(label + " extended")));
        assertThat(exact.documentTypeId()).isEqualTo(id);
        assertThat(exact.problems()).isEmpty();
    }

    @Test
    void metadataTypesAreFoundByExactNameAndMustBeAttachedToTheType() {
        String u = UUID.randomUUID().toString().replace("-", "");
        long type = mayan.createDocumentType("lk-meta-" + u);
        long code = mayan.createMetadataType("lk_" + u + "_code_long", "Code");
        long attached = mayan.createMetadataType("lk_" + u + "_ref", "Reference");
        mayan.createMetadataType("lk_" + u + "_loose", "Not attached");
        mayan.attachMetadataType(type, code, true);
        mayan.attachMetadataType(type, attached, false);

        Lookup found = lookup(LookupRoutes.LOOKUP_METADATA_TYPES, item(i -> {
            i.setDocumentType("lk-meta-" + u);
            i.setDocumentTypeId(type);
            i.getMetadata().putAll(Map.of("lk_" + u + "_code", "x", "lk_" + u + "_ref", "r1", "lk_" + u + "_loose", "y"));
        }));
        assertThat(found.problems()).extracting(Problem::field).containsExactlyInAnyOrder(
                "metadata.lk_" + u + "_code", "metadata.lk_" + u + "_loose", "metadata.lk_" + u + "_code_long");
        assertThat(found.problems()).extracting(Problem::reason).contains(
                "metadata type \"lk_" + u + "_loose\" is not attached to document type \"lk-meta-" + u + "\"",
                "metadata \"lk_" + u + "_code_long\" is required for document type \"lk-meta-" + u + "\" but has no value");
        assertThat(found.problems()).filteredOn(p -> p.field().equals("metadata.lk_" + u + "_code"))
                .singleElement().extracting(Problem::reason).asString()
                .startsWith("metadata type \"lk_" + u + "_code\" does not exist in Mayan; existing metadata types: ");
    }

    @Test
    void cabinetsAreFoundByTheirFullPath() {
        String root = "lk-cab-" + UUID.randomUUID();
        long parent = mayan.createCabinet(root, null);
        mayan.createCabinet("Invoices 2026", parent);

        assertThat(lookup(LookupRoutes.LOOKUP_CABINETS, item(i -> i.getCabinets().add(" " + root + " / Invoices 2026/")))
                .problems()).isEmpty();
        Lookup partial = lookup(LookupRoutes.LOOKUP_CABINETS, item(i -> i.getCabinets().add(root + "/Invoices")));
        assertThat(partial.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).startsWith("cabinet \"" + root + "/Invoices\" does not exist in Mayan; existing cabinets: ")
                    .contains(root + "/Invoices 2026");
            assertThat(p.fix()).isEqualTo("create the cabinet in Mayan (levels separated by \"/\") or correct the cabinets");
        });
    }

    private Lookup lookup(String uri, IngestRequest item) {
        return producer.requestBody(uri, item, Lookup.class);
    }

    private static IngestRequest item(java.util.function.Consumer<IngestRequest> setUp) {
        IngestRequest item = new IngestRequest();
        item.setSize(1);
        setUp.accept(item);
        return item;
    }
}
