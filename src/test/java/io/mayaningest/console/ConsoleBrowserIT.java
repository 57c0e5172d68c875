package io.mayaningest.console;

import static io.mayaningest.Drops.drop;
import static io.mayaningest.Drops.pdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mayaningest.it.ServiceProcess;
import io.mayaningest.testing.FakeMayan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The operator console in real headless Chromium (Debian's chromium and chromium-driver, installed by
 * e2e/chromium-up.sh) against the packaged service and the Mayan test double: sign in, see a source
 * and an ingested item with its Mayan link, a quarantined item with its reason, fix the cause in
 * Mayan, replay it and watch it become done, discard another. Screenshots of each state go to
 * target/console-screenshots/.
 */
class ConsoleBrowserIT {

    private static final String TOKEN = "mayan-" + UUID.randomUUID();
    private static final String OPERATOR_PASSWORD = "console-pw-" + UUID.randomUUID();
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private FakeMayan mayan;
    private WebDriver browser;
    private ServiceProcess service;
    private Path inbox;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        mayan = FakeMayan.start().withToken(TOKEN);
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "console-it-");
        inbox = Files.createDirectories(work.resolve("inbox"));
        service = new ServiceProcess(work, Map.of(
                "mayan.url", mayan.baseUrl(),
                "mayan.poll-initial-delay", "100ms",
                "mayan.poll-max-delay", "300ms",
                "mayan.retry-initial-delay", "100ms",
                "ingest.operator.password", OPERATOR_PASSWORD,
                "ingest.sources.inbox.kind", "file",
                "ingest.sources.inbox.path", inbox.toString(),
                "ingest.sources.inbox.poll-interval", "200ms",
                "ingest.sources.inbox.stable-for", "300ms"), Map.of("MAYAN_TOKEN", TOKEN), List.of("-Xmx256m"));
        service.start();
        Files.createDirectories(SHOTS);
        ensureChromium();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    /**
     * README's test command must work on a fresh machine, so the test installs the browser itself when
     * it is missing (e2e/chromium-up.sh: Debian's chromium and chromium-driver, idempotent).
     */
    private static void ensureChromium() throws IOException, InterruptedException {
        if (Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver"))) {
            return;
        }
        Process install = new ProcessBuilder("bash", "e2e/chromium-up.sh").inheritIO().start();
        if (install.waitFor() != 0) {
            throw new IllegalStateException("e2e/chromium-up.sh failed (exit " + install.exitValue()
                    + "): install Debian's chromium and chromium-driver packages, then run the test again");
        }
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (mayan != null) {
            mayan.close();
        }
    }

    @Test
    void anOperatorSignsInSeesItemsReplaysOneAndDiscardsAnother() throws IOException {
        assertThat(service.status("/")).as("the page without credentials").isEqualTo(401);
        assertThat(service.status("/api/items")).isEqualTo(401);
        assertThat(service.status("/api/sources")).isEqualTo(401);

        String good = "invoice-" + UUID.randomUUID().toString().substring(0, 6) + ".pdf";
        String typo = "contract-" + UUID.randomUUID().toString().substring(0, 6) + ".pdf";
        String junk = "junk-" + UUID.randomUUID().toString().substring(0, 6) + ".pdf";
        drop(inbox, good, pdf(good));
        drop(inbox, typo + ".json", "{\"document_type\": \"Contract\"}");
        drop(inbox, typo, pdf(typo));
        drop(inbox, junk, new byte[0]);

        browser.get(service.url("/"));
        shot("1-login");
        browser.findElement(By.id("username")).sendKeys("operator");
        browser.findElement(By.id("password")).sendKeys("wrong");
        browser.findElement(By.id("sign-in")).click();
        assertThat(await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector(".err")), e -> true).getText()).contains("Wrong operator user");
        browser.findElement(By.id("username")).sendKeys("operator");
        browser.findElement(By.id("password")).sendKeys(OPERATOR_PASSWORD);
        browser.findElement(By.id("sign-in")).click();

        WebElement source = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("#sources tr[data-source='inbox']")), e -> true);
        assertThat(source.getText()).contains("file").contains("running");
        WebElement done = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> row("items", good), r -> r.getText().contains("DONE"));
        long documentId = mayan.documentByLabel(good).orElseThrow().id();
        assertThat(done.findElement(By.cssSelector("a.mayan-link")).getAttribute("href"))
                .isEqualTo(mayan.baseUrl().replaceAll("/+$", "") + "/#/documents/documents/" + documentId + "/preview/");
        WebElement quarantined = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> row("quarantine", typo), r -> true);
        assertThat(quarantined.findElement(By.cssSelector(".reason")).getText()).contains("Contract");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> row("quarantine", junk), r -> true);
        shot("2-status-quarantine");

        mayan.createDocumentType("Contract");
        row("quarantine", typo).findElement(By.cssSelector("button.replay")).click();
        browser.switchTo().alert().sendKeys("created the Contract type in Mayan");
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> row("items", typo).getText().contains("DONE"));
        assertThat(mayan.documents()).filteredOn(d -> d.label().equals(typo)).hasSize(1);
        shot("3-replayed");

        row("quarantine", junk).findElement(By.cssSelector("button.discard")).click();
        assertThat(browser.switchTo().alert().getText()).contains("Discard " + junk);
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> row("items", junk).getText().contains("DISCARDED"));
        assertThat(browser.findElements(By.cssSelector("#quarantine tr[data-file='" + junk + "']"))).isEmpty();
        shot("4-discarded");

        browser.findElement(By.id("preview-file")).sendKeys("letter.pdf");
        browser.findElement(By.id("preview-run")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("preview-result")).getText(),
                t -> t.startsWith("OK: new document") && t.contains("label: letter.pdf"));
        browser.findElement(By.id("preview-sidecar")).sendKeys("{\"document_type\": \"Nope\"}");
        browser.findElement(By.id("preview-run")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("preview-result")).getText(),
                t -> t.startsWith("Problems:") && t.contains("document type \"Nope\" does not exist"));
        int uploads = mayan.documents().size();
        assertThat(uploads).as("the dry runs uploaded nothing").isEqualTo(2);
        shot("5-dry-run");

        browser.manage().window().setSize(new Dimension(390, 844));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> row("items", good).isDisplayed());
        shot("6-phone");
    }

    private WebElement row(String table, String file) {
        return browser.findElement(By.cssSelector("#" + table + " tr[data-file='" + file + "']"));
    }

    private void shot(String name) throws IOException {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
