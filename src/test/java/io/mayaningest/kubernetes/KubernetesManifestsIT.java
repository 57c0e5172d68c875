package io.mayaningest.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The manifests quarkus-kubernetes writes at package ({@code target/kubernetes/kubernetes.yml}, with
 * src/main/kubernetes merged in): a failsafe IT because surefire runs before package.
 * <p>
 * Schema: kubeconform (a Go module, built through the Go module proxy) against strict JSON schemas made
 * here from the Kubernetes OpenAPI document of the {@code k8s.io/kubernetes} Go module (kubeconform's
 * own schemas come from GitHub, which a build machine may not reach): every field must exist in the
 * Kubernetes API with its type. Meaning: the checks a schema cannot make (replicas, probe paths and
 * port, secrets only from the Secret, the lease rights, bindings and selectors that match).
 */
class KubernetesManifestsIT {

    static final Path MANIFESTS = Path.of("target", "kubernetes", "kubernetes.yml").toAbsolutePath();
    static final String KUBECONFORM = "github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0";
    /** The Kubernetes release whose API the manifests are checked against. */
    static final String KUBERNETES = "k8s.io/kubernetes@v1.33.4";
    static final String SECRET = "mayan-ingest";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theGeneratedManifestsPassKubeconformStrictlyAndABrokenOneDoesNot() throws Exception {
        Assumptions.assumeTrue(onPath("go"), "no Go toolchain on PATH to build kubeconform");
        Path work = Files.createDirectories(Path.of("target", "kubeconform").toAbsolutePath());
        Path bin = work.resolve("bin");
        run(work, Map.of("GOBIN", bin.toString()), "go", "install", KUBECONFORM);
        JsonNode module = JSON.readTree(run(work, Map.of(), "go", "mod", "download", "-json", KUBERNETES));
        Path swagger = Path.of(module.path("Dir").asText(), "api", "openapi-spec", "swagger.json");
        assertThat(swagger).as("OpenAPI document of %s", KUBERNETES).isRegularFile();

        List<JsonNode> documents = documents(MANIFESTS);
        Path schemas = writeSchemas(swagger, work.resolve("schemas"), documents);
        Result ok = kubeconform(bin, schemas, MANIFESTS);
        System.out.println("KUBERNETES: kubeconform -strict on " + MANIFESTS.getFileName() + " (" + documents.size()
                + " resources, schemas of " + KUBERNETES + "): exit " + ok.exit + "\n" + ok.output.strip());
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(ok.output).contains("\"valid\": " + documents.size()).contains("\"invalid\": 0")
                .contains("\"skipped\": 0");

        // The same file with one misspelled field and one wrong type: the validation must say so.
        String broken = Files.readString(MANIFESTS, StandardCharsets.UTF_8)
                .replaceFirst("\n  replicas: 2\n", "\n  replica: 2\n")
                .replaceFirst("minAvailable: 1", "minAvailable: [1]");
        Path brokenFile = work.resolve("broken.yml");
        Files.writeString(brokenFile, broken, StandardCharsets.UTF_8);
        Result bad = kubeconform(bin, schemas, brokenFile);
        System.out.println("KUBERNETES: kubeconform on a broken copy: exit " + bad.exit);
        assertThat(bad.exit).isNotZero();
        assertThat(bad.output).contains("replica").contains("minAvailable").contains("\"invalid\": 2");
    }

    @Test
    void theDeploymentRbacAndDisruptionBudgetFitTogether() throws Exception {
        List<JsonNode> documents = documents(MANIFESTS);
        check(documents);
        System.out.println("KUBERNETES: " + MANIFESTS.getFileName() + " holds " + kinds(documents));

        // A budget that selects no pod of the Deployment must be caught.
        List<JsonNode> broken = documents(MANIFESTS);
        ((ObjectNode) byKind(broken, "PodDisruptionBudget").at("/spec/selector/matchLabels"))
                .put("app.kubernetes.io/name", "another-app");
        assertThatThrownBy(() -> check(broken)).hasMessageContaining("PodDisruptionBudget");
    }

    /** What a schema cannot see; each failure names the resource. */
    static void check(List<JsonNode> documents) {
        assertThat(kinds(documents)).containsExactlyInAnyOrder("PodDisruptionBudget", "ServiceAccount", "Role",
                "RoleBinding", "Service", "Deployment");

        JsonNode deployment = byKind(documents, "Deployment");
        assertThat(deployment.at("/spec/replicas").asInt()).as("Deployment replicas").isEqualTo(2);
        JsonNode pod = deployment.at("/spec/template");
        Map<String, String> podLabels = strings(pod.at("/metadata/labels"));
        assertThat(podLabels).as("Deployment's selector in its pod labels")
                .containsAllEntriesOf(strings(deployment.at("/spec/selector/matchLabels")));
        JsonNode containers = pod.at("/spec/containers");
        assertThat(containers).as("Deployment containers").hasSize(1);
        JsonNode container = containers.get(0);
        JsonNode http = null;
        for (JsonNode port : container.path("ports")) {
            if ("http".equals(port.path("name").asText())) {
                http = port;
            }
        }
        assertThat(http).as("Deployment container port http").isNotNull();
        int httpPort = http.path("containerPort").asInt();
        assertThat(httpPort).as("container port (quarkus.http.port)").isEqualTo(8080);
        for (String[] probe : new String[][] { { "livenessProbe", "/q/health/live" },
                { "readinessProbe", "/q/health/ready" }, { "startupProbe", "/q/health/started" } }) {
            JsonNode get = container.path(probe[0]).path("httpGet");
            assertThat(get.path("path").asText()).as("Deployment %s path", probe[0]).isEqualTo(probe[1]);
            JsonNode port = get.path("port");
            assertThat(port.isInt() ? port.asInt() == httpPort : "http".equals(port.asText()))
                    .as("Deployment %s port %s is the container's http port %d", probe[0], port, httpPort).isTrue();
        }
        for (String r : List.of("/requests/memory", "/requests/cpu", "/limits/memory")) {
            assertThat(container.at("/resources" + r).asText()).as("Deployment resources%s", r).isNotEmpty();
        }

        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            JsonNode secretRef = e.at("/valueFrom/secretKeyRef");
            if (!secretRef.isMissingNode()) {
                assertThat(secretRef.path("name").asText()).as("Deployment env %s from the Secret", name).isEqualTo(SECRET);
            } else {
                assertThat(name).as("Deployment env %s: a secret must come from the Secret, not a literal", name)
                        .doesNotContainPattern("PASSWORD|TOKEN|SECRET|PASSPHRASE");
                env.put(name, e.path("value").asText());
            }
        }
        JsonNode envFrom = container.path("envFrom");
        assertThat(envFrom).as("Deployment envFrom").isNotEmpty();
        for (JsonNode from : envFrom) {
            assertThat(from.has("configMapRef") || SECRET.equals(from.at("/secretRef/name").asText()))
                    .as("Deployment envFrom %s: only the Secret %s", from, SECRET).isTrue();
        }
        assertThat(env).as("Deployment env").containsEntry("INGEST_CLUSTER_KIND", "kubernetes")
                .containsEntry("QUARKUS_PROFILE", "prod,pg").containsKeys("INGEST_LEDGER_URL", "INGEST_LEDGER_USERNAME");
        assertThat(env.get("INGEST_LEDGER_URL")).as("Deployment env INGEST_LEDGER_URL").startsWith("jdbc:postgresql://");

        String account = pod.at("/spec/serviceAccountName").asText();
        assertThat(account).as("Deployment serviceAccountName").isNotEmpty();
        assertThat(documents).as("ServiceAccount %s", account)
                .anyMatch(d -> "ServiceAccount".equals(d.path("kind").asText()) && account.equals(name(d)));

        JsonNode role = byKind(documents, "Role");
        assertThat(allows(role, "coordination.k8s.io", "leases", "get", "list", "watch", "create", "update", "patch"))
                .as("Role %s allows the lease verbs", name(role)).isTrue();
        assertThat(allows(role, "", "pods", "get", "list")).as("Role %s allows pods get, list", name(role)).isTrue();
        JsonNode binding = byKind(documents, "RoleBinding");
        assertThat(binding.at("/roleRef/kind").asText() + "/" + binding.at("/roleRef/name").asText())
                .as("RoleBinding %s roleRef", name(binding)).isEqualTo("Role/" + name(role));
        boolean bound = false;
        for (JsonNode subject : binding.path("subjects")) {
            bound |= "ServiceAccount".equals(subject.path("kind").asText()) && account.equals(subject.path("name").asText());
        }
        assertThat(bound).as("RoleBinding %s binds the Deployment's ServiceAccount %s", name(binding), account).isTrue();

        JsonNode pdb = byKind(documents, "PodDisruptionBudget");
        assertThat(pdb.at("/spec/minAvailable").asInt()).as("PodDisruptionBudget minAvailable").isEqualTo(1);
        Map<String, String> selector = strings(pdb.at("/spec/selector/matchLabels"));
        assertThat(selector).as("PodDisruptionBudget selector").isNotEmpty();
        assertThat(podLabels).as("PodDisruptionBudget selector %s matches the pod labels", selector)
                .containsAllEntriesOf(selector);
        Map<String, String> service = strings(byKind(documents, "Service").at("/spec/selector"));
        assertThat(podLabels).as("Service selector %s matches the pod labels", service).containsAllEntriesOf(service);
    }

    private static boolean allows(JsonNode role, String group, String resource, String... verbs) {
        for (JsonNode rule : role.path("rules")) {
            if (texts(rule.path("apiGroups")).contains(group) && texts(rule.path("resources")).contains(resource)
                    && texts(rule.path("verbs")).containsAll(List.of(verbs))) {
                return true;
            }
        }
        return false;
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class)
                .readValues(new YAMLFactory().createParser(file.toFile()))) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isEmpty()) {
                    documents.add(d);
                }
            }
        }
        return documents;
    }

    private static List<String> kinds(List<JsonNode> documents) {
        return documents.stream().map(d -> d.path("kind").asText()).toList();
    }

    private static JsonNode byKind(List<JsonNode> documents, String kind) {
        List<JsonNode> found = documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertThat(found).as("resources of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    private static String name(JsonNode d) {
        return d.at("/metadata/name").asText();
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new HashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> set = new LinkedHashSet<>();
        array.forEach(n -> set.add(n.asText()));
        return set;
    }

    // ---- kubeconform ---------------------------------------------------------------------------

    private record Result(int exit, String output) {
    }

    private static Result kubeconform(Path bin, Path schemas, Path file) throws Exception {
        Process p = new ProcessBuilder(bin.resolve("kubeconform").toString(), "-strict", "-summary", "-output", "json",
                "-schema-location", schemas + "/{{ .ResourceKind }}{{ .KindSuffix }}.json", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), out);
    }

    /**
     * One stand-alone strict schema per kind the manifests use, named as kubeconform looks them up
     * ({@code deployment-apps-v1.json}, {@code serviceaccount-v1.json}), the way kubeconform's own
     * schemas are made from the same document (openapi2jsonschema {@code --strict --stand-alone}): every
     * object with properties allows no others, and the two types YAML writes either way
     * (int-or-string, quantity) take both.
     */
    static Path writeSchemas(Path swagger, Path dir, List<JsonNode> documents) throws IOException {
        Files.createDirectories(dir);
        ObjectNode definitions = (ObjectNode) JSON.readTree(swagger.toFile()).get("definitions");
        definitions.set("io.k8s.apimachinery.pkg.util.intstr.IntOrString", JSON.readTree(
                "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}"));
        definitions.set("io.k8s.apimachinery.pkg.api.resource.Quantity", JSON.readTree(
                "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"number\"}]}"));
        definitions.forEach(KubernetesManifestsIT::strict);
        Set<String> wanted = new LinkedHashSet<>();
        documents.forEach(d -> wanted.add(d.path("apiVersion").asText() + " " + d.path("kind").asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = definitions.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> def = it.next();
            for (JsonNode gvk : def.getValue().path("x-kubernetes-group-version-kind")) {
                String group = gvk.path("group").asText();
                String version = gvk.path("version").asText();
                String kind = gvk.path("kind").asText();
                String apiVersion = group.isEmpty() ? version : group + "/" + version;
                if (!wanted.remove(apiVersion + " " + kind)) {
                    continue;
                }
                // kubeconform's KindSuffix: the first label of the group, then the version.
                String suffix = (group.isEmpty() ? "" : "-" + group.split("\\.")[0].toLowerCase()) + "-" + version;
                ObjectNode schema = def.getValue().deepCopy();
                schema.set("definitions", definitions);
                Files.writeString(dir.resolve(kind.toLowerCase() + suffix + ".json"), JSON.writeValueAsString(schema));
            }
        }
        assertThat(wanted).as("kinds of the manifests without a schema in %s", KUBERNETES).isEmpty();
        return dir;
    }

    /** A schema, and every schema inside it, without properties beyond those it names. */
    private static void strict(JsonNode schema) {
        if (!(schema instanceof ObjectNode object)) {
            return;
        }
        if (object.has("properties") && !object.has("additionalProperties")) {
            object.put("additionalProperties", false);
        }
        // The values of "properties" are schemas; its keys are field names (one may be called "properties").
        object.path("properties").forEach(KubernetesManifestsIT::strict);
        strict(object.get("items"));
        strict(object.get("additionalProperties"));
        for (String list : List.of("allOf", "anyOf", "oneOf")) {
            object.path(list).forEach(KubernetesManifestsIT::strict);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(env);
        Path err = Files.createTempFile(dir, "go", ".err");
        builder.redirectError(err.toFile());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), Files.readString(err)).isZero();
        return out;
    }
}
