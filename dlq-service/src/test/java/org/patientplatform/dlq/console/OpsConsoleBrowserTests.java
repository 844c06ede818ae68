package org.patientplatform.dlq.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.patientplatform.dlq.DlqIntegrationTest;
import org.patientplatform.dlq.TestKafka;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ops console in a real browser (Debian's headless Chromium through chromedriver) against the whole service
 * on its real broker and database: an operator pastes a token, searches, narrows by a facet, opens an entry,
 * reveals its payload, redrives it, and runs a bulk redrive of a search, each through the API and audited as
 * that operator. Text from producers is shown as text, never run as markup. Skipped where Chromium is not
 * installed ({@code .ci/run} installs it).
 */
@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app,consumer-retry-message,wrk--default")
class OpsConsoleBrowserTests {

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");


	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	TestKafka kafka;

	WebDriver browser;

	WebDriverWait wait;

	Path profile;

	@BeforeAll
	static void browserInstalled() {
		Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
				"Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
	}

	@BeforeEach
	void setUp() throws Exception {
		this.kafka = new TestKafka(this.bootstrapServers);
		this.profile = Files.createTempDirectory("dlq-console-chromium");
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--no-first-run", "--disable-quic", "--window-size=1400,1000",
					"--user-data-dir=" + this.profile);
		// the driver found where Debian puts it, never downloaded (Selenium Manager is not asked)
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
		// the page redraws its tables (the jobs every second while one runs): an element read as it is replaced is
		// read again
		this.wait = new WebDriverWait(this.browser, Duration.ofSeconds(30));
		this.wait.ignoring(StaleElementReferenceException.class);
	}

	@AfterEach
	void tearDown() {
		if (this.browser != null) {
			this.browser.quit();
		}
		if (this.kafka != null) {
			this.kafka.close();
		}
		// the browser's profile (a few megabytes) was left in the temp folder by every test
		if (this.profile != null) {
			FileSystemUtils.deleteRecursively(this.profile.toFile());
		}
	}

	@Test
	void anOperatorFindsAnEntryRevealsItsPayloadAndRedrivesItAsThemselves() {
		this.kafka.createTopic("console-labs.v1");
		this.kafka.send(TestKafka.failedRecord("lab-service", "console-labs.v1", 1, "lab-1", "{\"result\":\"pending\"}",
				"java.lang.IllegalStateException", "lab system unavailable", "1111222233334444", true));
		this.kafka.send(TestKafka.failedRecord("lab-service", "console-labs.v1", 2, "lab-2", "{\"result\":\"final\"}",
				"com.example.LabTimeout", "lab answered late", "5555666677778888", true));
		UUID first = stored("console-labs.v1", 1);

		open();
		search("topic", "console-labs.v1");
		this.wait.until((d) -> rows().size() == 2);
		// the facets count the search's entries, and a facet narrows the search
		WebElement timeout = this.wait.until(ExpectedConditions.presenceOfElementLocated(
				By.cssSelector("ul[data-group=errorClass] button[data-value='com.example.LabTimeout']")));
		assertThat(timeout.getText()).isEqualTo("com.example.LabTimeout (1)");
		timeout.click();
		this.wait.until((d) -> rows().size() == 1 && rows().get(0).getText().contains("lab answered late"));
		this.browser.findElement(By.id("clear")).click();
		// a key that is no text is searched for by its base64, as the detail shows it ('+' and '/' included)
		UUID second = stored("console-labs.v1", 2);
		this.jdbc.update("UPDATE dead_letter_entry SET record_key = '\\xfbff00'::bytea WHERE id = ?", second);
		search("keyBase64", "+/8A");
		this.wait.until((d) -> rows().size() == 1 && rows().get(0).getText().contains("lab answered late"));
		this.browser.findElement(By.id("clear")).click();
		search("topic", "console-labs.v1");
		this.wait.until((d) -> rows().size() == 2);

		// the entry: its coordinates, error and headers, its payload hidden until revealed with a reason
		row(first).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("detail-id"), first.toString()));
		String fields = this.browser.findElement(By.id("detail-fields")).getText();
		assertThat(fields).contains("console-labs.v1").contains("java.lang.IllegalStateException")
			.contains("lab system unavailable")
			.doesNotContain("pending");
		assertThat(this.browser.findElement(By.id("detail-headers")).getText()).contains("x-origin").contains("lab-7");
		this.browser.findElement(By.id("reveal")).click();
		// no reason: the API's 400 is shown, nothing revealed, nothing audited as revealed
		this.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "reason"));
		assertThat(this.browser.findElement(By.id("payload")).isDisplayed()).isFalse();
		this.browser.findElement(By.id("action-reason")).sendKeys("patient asked what was sent");
		this.browser.findElement(By.id("reveal")).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("payload-text"), "{\"result\":\"pending\"}"));
		assertThat(audit("dlq.payload.reveal", first)).containsExactly("ops-console|SUCCEEDED|patient asked what was sent");
		// the entry's audit trail, as the page shows it: the reveal, by whom and why
		this.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("detail-audit"),
				"dlq.payload.reveal by ops-console, SUCCEEDED (patient asked what was sent)"));

		// redriven to its topic as it was, by this operator, with their reason
		this.browser.findElement(By.id("redrive")).click();
		this.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-result"), "RETRYING"));
		List<ConsumerRecord<byte[], byte[]>> sent = this.kafka.readAll("console-labs.v1");
		assertThat(sent).singleElement().satisfies((record) -> {
			assertThat(TestKafka.entryId(record)).isEqualTo(first);
			assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"result\":\"pending\"}");
		});
		assertThat(this.jdbc.queryForObject("SELECT status_changed_by FROM dead_letter_entry WHERE id = ?", String.class,
				first)).isEqualTo("ops-console");
		assertThat(audit("dlq.redrive", first)).containsExactly("ops-console|SUCCEEDED|patient asked what was sent");
		assertThat(this.browser.findElement(By.id("detail-history")).getText()).contains("redrive by ops-console");
		this.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("detail-audit"),
				"dlq.redrive by ops-console, SUCCEEDED"));
		List<WebElement> trail = this.browser.findElements(By.cssSelector("#detail-audit li"));
		assertThat(trail).hasSize(2);
		assertThat(trail.get(0).getText()).contains("dlq.redrive");
		assertThat(trail.get(1).getText()).contains("dlq.payload.reveal");
	}

	@Test
	void aBulkRedriveOfASearchIsCountedStartedAndFollowedToItsEnd() {
		this.kafka.createTopic("console-bulk.v1");
		for (int offset = 0; offset < 5; offset++) {
			this.kafka.send(TestKafka.failedRecord("bulk-service", "console-bulk.v1", offset, "b-" + offset, "{}",
					"java.lang.IllegalStateException", "bulk failure " + offset, "9999000099990000", true));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> this.jdbc.queryForObject(
				"SELECT count(*) FROM dead_letter_entry WHERE original_topic = 'console-bulk.v1'", Long.class) == 5);

		open();
		search("topic", "console-bulk.v1");
		this.wait.until((d) -> rows().size() == 5);
		WebElement bulk = this.browser.findElement(By.id("bulk-form"));
		WebElement rate = bulk.findElement(By.name("ratePerSecond"));
		rate.clear();
		rate.sendKeys("20");
		bulk.findElement(By.name("reason")).sendKeys("consumer fixed in 2.3.1");
		this.browser.findElement(By.id("bulk-count")).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("bulk-dry-run"), "5 entries would be sent"));
		assertThat(this.kafka.readAll("console-bulk.v1")).isEmpty();

		this.browser.findElement(By.id("bulk-start")).click();
		// the jobs table follows it to its end on its own
		this.wait.until((d) -> {
			List<WebElement> jobs = d.findElements(By.cssSelector("#jobs tbody tr"));
			return !jobs.isEmpty() && "COMPLETED".equals(jobs.get(0).getAttribute("data-status"))
					&& jobs.get(0).findElement(By.className("job-sent")).getText().equals("5");
		});
		assertThat(this.kafka.readAll("console-bulk.v1")).hasSize(5);
		assertThat(this.jdbc.queryForList("SELECT created_by || '|' || reason FROM bulk_redrive", String.class))
			.containsExactly("ops-console|consumer fixed in 2.3.1");
		WebElement job = this.browser.findElement(By.cssSelector("#jobs tbody tr"));
		assertThat(job.findElement(By.className("job-pending")).getText()).isEqualTo("0");
		assertThat(job.findElement(By.className("job-cancelled")).getText()).isEqualTo("0");

		// a slow job cancelled from the page: what it did not send is shown as cancelled, and its bar is full
		for (int offset = 5; offset < 45; offset++) {
			this.kafka.send(TestKafka.failedRecord("bulk-service", "console-bulk.v1", offset, "b-" + offset, "{}",
					"java.lang.IllegalStateException", "bulk failure " + offset, "9999000099990000", true));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> this.jdbc.queryForObject(
				"SELECT count(*) FROM dead_letter_entry WHERE original_topic = 'console-bulk.v1' AND status = 'NEW'",
				Long.class) == 40);
		this.browser.findElement(By.cssSelector("#search-form input[name=status][value=NEW]")).click();
		this.browser.findElement(By.id("search")).click();
		this.wait.until((d) -> rows().size() == 40);
		rate.clear();
		rate.sendKeys("1");
		this.browser.findElement(By.id("bulk-count")).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("bulk-dry-run"), "40 entries would be sent"));
		this.browser.findElement(By.id("bulk-start")).click();
		this.wait.until((d) -> d.findElements(By.cssSelector("#jobs tbody tr[data-status=RUNNING] button.job-cancel"))
			.size() == 1);
		this.browser.findElement(By.id("job-reason")).sendKeys("wrong selection");
		// the jobs table is drawn again as it refreshes, so an element found may be gone before it is used: each
		// step finds and uses its elements in one go, again until the table holds still (stale ones are ignored)
		this.wait.until((d) -> {
			d.findElement(By.cssSelector("#jobs tbody tr[data-status=RUNNING] button.job-cancel")).click();
			return true;
		});
		List<String> cancelled = this.wait.until((d) -> {
			WebElement row = d.findElements(By.cssSelector("#jobs tbody tr")).get(0);
			return "CANCELLED".equals(row.getAttribute("data-status"))
					? List.of(row.findElement(By.className("job-sent")).getText(),
							row.findElement(By.className("job-pending")).getText(),
							row.findElement(By.className("job-cancelled")).getText(), row.getText())
					: null;
		});
		int sent = Integer.parseInt(cancelled.get(0));
		assertThat(cancelled.get(1)).isEqualTo("0");
		assertThat(Integer.parseInt(cancelled.get(2))).isPositive().isEqualTo(40 - sent);
		assertThat(cancelled.get(3)).contains("40/40");
	}

	@Test
	void textFromAProducerIsShownAsTextNeverRunAsMarkup() throws Exception {
		String hostile = "<img src=x onerror=\"document.body.setAttribute('data-owned','yes')\">";
		this.kafka.createTopic("console-hostile.v1");
		this.kafka.send(TestKafka.failedRecord("evil-service", "console-hostile.v1", 1, "<b>key</b>", hostile,
				"<script>alert(1)</script>", hostile, "abcdabcdabcdabcd", true));
		UUID id = stored("console-hostile.v1", 1);

		open();
		search("topic", "console-hostile.v1");
		this.wait.until((d) -> rows().size() == 1);
		row(id).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("detail-id"), id.toString()));
		this.browser.findElement(By.id("action-reason")).sendKeys("security review");
		this.browser.findElement(By.id("reveal")).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("payload-text"), hostile));

		assertThat(rows().get(0).getText()).contains(hostile).contains("<b>key</b>");
		// and the page allows no script but its own, should markup ever get in
		assertThat(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/console/")).build(),
					HttpResponse.BodyHandlers.discarding())
			.headers()
			.firstValue("Content-Security-Policy")).hasValueSatisfying(
					(policy) -> assertThat(policy).contains("script-src 'self'").contains("default-src 'none'"));
		assertThat(this.browser.findElements(By.cssSelector("main img, main script, main b"))).isEmpty();
		assertThat(this.browser.findElement(By.tagName("body")).getAttribute("data-owned")).isNull();
	}

	@Test
	void anAlertsLinkOpensTheEntryItIsAbout() {
		this.kafka.createTopic("console-alerted.v1");
		this.kafka.send(TestKafka.failedRecord("alerted-service", "console-alerted.v1", 7, "a-7", "{}",
				"java.lang.IllegalStateException", "failed for good", "7777000077770000", true));
		UUID id = stored("console-alerted.v1", 7);

		open("#entry=" + id, this.signingKey.mint("ops-console", List.of("ops"), null, Duration.ofMinutes(10)));
		this.wait.until(ExpectedConditions.textToBe(By.id("detail-id"), id.toString()));
		assertThat(this.browser.findElement(By.id("detail-fields")).getText()).contains("failed for good");
	}

	@Test
	void aTokenWithoutTheOpsRoleIsRefusedByTheApiAndTheConsoleSaysSo() {
		open(this.signingKey.mint("staff-console", List.of("staff"), null, Duration.ofMinutes(10)));
		this.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "Forbidden: Your role does not allow this"));
		assertThat(rows()).isEmpty();
	}

	private void open() {
		open(this.signingKey.mint("ops-console", List.of("ops"), null, Duration.ofMinutes(10)));
	}

	private void open(String token) {
		open("", token);
	}

	private void open(String fragment, String token) {
		this.browser.get("http://127.0.0.1:" + this.port + "/console/" + fragment);
		this.wait.until(ExpectedConditions.titleIs("DLQ console"));
		this.browser.findElement(By.id("token")).sendKeys(token);
		this.browser.findElement(By.id("token-use")).click();
		this.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "as "));
	}

	private void search(String field, String value) {
		WebElement input = this.browser.findElement(By.cssSelector("#search-form input[name=" + field + "]"));
		input.clear();
		input.sendKeys(value);
		this.browser.findElement(By.id("search")).click();
	}

	private List<WebElement> rows() {
		return this.browser.findElements(By.cssSelector("#results tbody tr"));
	}

	private WebElement row(UUID id) {
		return this.wait.until(ExpectedConditions
			.elementToBeClickable(By.cssSelector("#results tbody tr[data-id='" + id + "']")));
	}

	private UUID stored(String topic, long offset) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList(
					"SELECT id FROM dead_letter_entry WHERE original_topic = ? AND original_offset = ?", UUID.class,
					topic, offset), (ids) -> ids.size() == 1)
			.getFirst();
	}

	private List<String> audit(String action, UUID id) {
		return this.jdbc.queryForList("SELECT actor || '|' || outcome || '|' || coalesce(reason, '') FROM audit_log "
				+ "WHERE action = ? AND resource_id = ? ORDER BY id", String.class, action, id.toString());
	}

}
