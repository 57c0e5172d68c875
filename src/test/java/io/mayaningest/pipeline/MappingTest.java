package io.mayaningest.pipeline;

import io.mayaningest.source.Sidecar;
import io.mayaningest.core.IngestException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.mayaningest.mayan.MayanLookups;
import io.mayaningest.mayan.MayanLookups.MetadataType;
import io.mayaningest.source.NameFilter;
import org.junit.jupiter.api.Test;

/** The mapping rules, without Camel or Mayan. */
class MappingTest {

    @Test
    void templatesFillPlaceholdersAndRefuseUnknownOnes() {
        Map<String, String> values = Map.of("no", "123456", "file.name", "123456_rev2.pdf");
        assertThat(Templates.render("Drawing {no} ({file.name})", values, "label")).isEqualTo("Drawing 123456 (123456_rev2.pdf)");
        assertThat(Templates.render("no placeholders", values, "label")).isEqualTo("no placeholders");
        assertThatThrownBy(() -> Templates.render("{rev}", values, "ingest.sources.x.label"))
                .isInstanceOf(IngestException.class)
                .hasMessageContaining("ingest.sources.x.label uses {rev}, which has no value")
                .matches(e -> ((IngestException) e).isPermanent());
    }

    @Test
    void sidecarNamesAreNeverDocuments() {
        assertThat(Sidecar.isSidecarName("scan.pdf.json")).isTrue();
        assertThat(Sidecar.isSidecarName("scan.pdf.YAML")).isTrue();
        assertThat(Sidecar.isSidecarName("scan.tif.yml")).isTrue();
        assertThat(Sidecar.isSidecarName("export.json")).isFalse();
        assertThat(Sidecar.isSidecarName("scan.pdf")).isFalse();
    }

    @Test
    void cabinetPathsAreNormalised() {
        assertThat(MayanLookups.normalisePath(" Engineering / Drawings/ ")).isEqualTo("Engineering/Drawings");
        assertThat(MayanLookups.normalisePath("/Finance")).isEqualTo("Finance");
    }

    @Test
    void metadataValuesAreCheckedLikeMayanDoes() {
        Resolver resolver = new Resolver(null, null, null);
        MetadataType currency = new MetadataType(1, "currency", "Currency", "EUR,USD,CHF", "", "");
        assertThat(resolver.valueProblem(currency, "CHF")).isEmpty();
        assertThat(resolver.valueProblem(currency, "chf")).isPresent(); // Mayan's lookup is case-sensitive
        MetadataType number = new MetadataType(2, "drawing_no", "Drawing number", null,
                "mayan.apps.metadata.metadata_validators.RegularExpressionValidator", "pattern: ^\\d{6}$");
        assertThat(resolver.valueProblem(number, "123456")).isEmpty();
        assertThat(resolver.valueProblem(number, "12")).get().asString().contains("does not match the pattern ^\\d{6}$");
        // Mayan's validator uses re.fullmatch: a longer value fails even when its start matches.
        MetadataType prefix = new MetadataType(3, "code", "Code", null, "x.RegularExpressionValidator", "pattern: '[A-Z]{2}'");
        assertThat(resolver.valueProblem(prefix, "AB")).isEmpty();
        assertThat(resolver.valueProblem(prefix, "ABC")).isPresent();
        MetadataType templated = new MetadataType(4, "owner", "Owner", "{{ users }}", "", "");
        assertThat(resolver.valueProblem(templated, "anyone")).isEmpty();
    }
}
