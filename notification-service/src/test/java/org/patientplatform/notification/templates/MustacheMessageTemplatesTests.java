package org.patientplatform.notification.templates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.Channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MustacheMessageTemplatesTests {

	static final List<String> TYPES = List.of("test-result-ready", "results-digest", "appointment-reminder",
			"booking-confirmed", "booking-cancelled");

	static final List<String> SMS_ONLY = List.of("sms-opt-out-confirmation", "sms-opt-in-confirmation");

	static final List<String> RESULT_TYPES = List.of("test-result-ready", "results-digest");

	static final List<String> PARTS = List.of("sms", "email-subject", "email-text", "email-html", "push-title",
			"push-body");

	static final Map<String, String> ALL_PARAMETERS = Map.of("givenName", "Maria", "portalUrl",
			"https://portal.lab.example/notifications/3f2a?x=1&y=2", "count", "3", "siteName", "Downtown Clinic",
			"startsAt", "Tue 3 Mar 2026, 09:30");

	final MustacheMessageTemplates templates = new MustacheMessageTemplates();

	@Test
	void rendersEveryTypeOnEveryChannelInEnglishAndSpanish() {
		for (String type : TYPES) {
			for (Channel channel : Channel.values()) {
				for (String language : List.of("en", "es")) {
					RenderedMessage message = this.templates.render(type, channel, language, ALL_PARAMETERS);
					assertThat(message.language()).isEqualTo(language);
					assertThat(message.text()).as("%s %s %s", type, channel, language)
						.isNotBlank()
						.doesNotContain("{{")
						.contains(channel == Channel.PUSH ? "" : "https://portal.lab.example/notifications/3f2a");
					switch (channel) {
						case SMS -> {
							assertThat(message.subject()).isNull();
							assertThat(message.html()).isNull();
							assertThat(message.smsSegments()).isPositive();
						}
						case EMAIL -> {
							assertThat(message.subject()).isNotBlank().doesNotContain("{{");
							assertThat(message.html()).startsWith("<!doctype html>")
								.contains("href=\"https://portal.lab.example/notifications/3f2a?x=1&amp;y=2\"");
						}
						case PUSH -> {
							assertThat(message.subject()).isNotBlank();
							assertThat(message.html()).isNull();
						}
					}
				}
			}
		}
	}

	@Test
	void resultTemplatesNeverShowAResultValueOrTest() {
		Map<String, String> parameters = new HashMap<>(ALL_PARAMETERS);
		parameters.putAll(Map.of("testCode", "HIV12AB", "testName", "HIV-1/2 antibody screen", "value",
				"REACTIVE 7.8 mmol/L", "resultValue", "REACTIVE", "result", "POSITIVE", "units", "mmol/L", "analyte",
				"HbA1c", "interpretation", "abnormal", "flag", "HIGH"));
		List<String> secrets = List.of("HIV", "antibody", "REACTIVE", "7.8", "mmol", "POSITIVE", "HbA1c", "abnormal",
				"HIGH");
		for (String type : RESULT_TYPES) {
			for (Channel channel : Channel.values()) {
				for (String language : List.of("en", "es", "fr")) {
					RenderedMessage message = this.templates.render(type, channel, language, parameters);
					for (String part : new String[] { message.subject(), message.text(), message.html() }) {
						if (part != null) {
							assertThat(part).as("%s %s %s", type, channel, language).doesNotContain(secrets);
						}
					}
				}
			}
		}
	}

	@Test
	void resultTemplatesNameOnlyTheNameTheCountAndTheLink() throws IOException {
		Pattern variable = Pattern.compile("\\{\\{[#^/&{]?\\s*([A-Za-z0-9_.]+)");
		for (String type : RESULT_TYPES) {
			for (String language : List.of("en", "es")) {
				for (String part : PARTS) {
					List<String> names = new ArrayList<>();
					Matcher matcher = variable.matcher(source(type, language, part));
					while (matcher.find()) {
						names.add(matcher.group(1));
					}
					assertThat(names).as("%s/%s/%s", type, language, part)
						.isSubsetOf(Set.of("givenName", "portalUrl", "count"));
				}
			}
		}
	}

	@Test
	void keepsSmsTemplatesInGsm7() {
		for (String type : concat(TYPES, SMS_ONLY)) {
			for (String language : List.of("en", "es")) {
				RenderedMessage message = this.templates.render(type, Channel.SMS, language, ALL_PARAMETERS);
				assertThat(SmsSegments.isGsm7(message.text())).as("%s %s", type, language).isTrue();
				assertThat(message.smsSegments()).isEqualTo(SmsSegments.of(message.text()).segments());
			}
		}
	}

	@Test
	void fallsBackToEnglishAndReadsLanguageTags() {
		assertThat(this.templates.render("test-result-ready", Channel.SMS, "fr", ALL_PARAMETERS).language())
			.isEqualTo("en");
		assertThat(this.templates.render("test-result-ready", Channel.SMS, "es-MX", ALL_PARAMETERS).language())
			.isEqualTo("es");
		assertThat(this.templates.render("test-result-ready", Channel.SMS, "ES", ALL_PARAMETERS).language())
			.isEqualTo("es");
		assertThat(this.templates.render("test-result-ready", Channel.SMS, "", ALL_PARAMETERS).language())
			.isEqualTo("en");
	}

	@Test
	void leavesOutAMissingNameGracefully() {
		RenderedMessage message = this.templates.render("test-result-ready", Channel.SMS, "en",
				Map.of("portalUrl", "https://p/1"));
		assertThat(message.text()).startsWith("A new test result is ready").contains("https://p/1");
		RenderedMessage spanish = this.templates.render("test-result-ready", Channel.EMAIL, "es",
				Map.of("portalUrl", "https://p/1"));
		assertThat(spanish.text()).startsWith("Hola:");
	}

	@Test
	void escapesParametersInHtmlOnly() {
		RenderedMessage message = this.templates.render("booking-confirmed", Channel.EMAIL, "en",
				Map.of("givenName", "<b>Ann</b>", "siteName", "A & B", "startsAt", "today", "portalUrl", "https://p"));
		assertThat(message.html()).contains("&lt;b&gt;Ann&lt;/b&gt;").contains("A &amp; B").doesNotContain("<b>Ann");
		assertThat(message.text()).contains("<b>Ann</b>").contains("A & B");
	}

	@Test
	void rendersTheDlqOpsAlertInEnglishWithItsSummaryAndTheConsoleLinkWhenGiven() {
		Map<String, String> parameters = Map.of("alertType", "PERMANENT_FAILURE", "summary",
				"DLQ entry e-1 failed permanently after 6 failures", "entryId", "e-1", "consoleUrl",
				"https://ops.lab.example/dlq?x=1&y=2", "portalUrl", "https://portal.lab.example/notifications/1");
		RenderedMessage email = this.templates.render("dlq-ops-alert", Channel.EMAIL, "es", parameters);
		assertThat(email.language()).isEqualTo("en");
		assertThat(email.subject()).isEqualTo("[DLQ PERMANENT_FAILURE] DLQ entry e-1 failed permanently after 6 failures");
		assertThat(email.text()).contains("DLQ entry e-1 failed permanently after 6 failures")
			.contains("https://ops.lab.example/dlq?x=1&y=2")
			.doesNotContain("portal");
		assertThat(email.html()).startsWith("<!doctype html>")
			.contains("href=\"https://ops.lab.example/dlq?x=1&amp;y=2\"")
			.contains("PERMANENT_FAILURE");
		RenderedMessage sms = this.templates.render("dlq-ops-alert", Channel.SMS, "en", parameters);
		assertThat(sms.text()).startsWith("DLQ PERMANENT_FAILURE: DLQ entry e-1")
			.endsWith("https://ops.lab.example/dlq?x=1&y=2");
		assertThat(SmsSegments.isGsm7(sms.text())).isTrue();
		RenderedMessage withoutLink = this.templates.render("dlq-ops-alert", Channel.EMAIL, "en",
				Map.of("alertType", "VOLUME_SPIKE", "summary", "DLQ volume spike"));
		assertThat(withoutLink.text()).doesNotContain("console").doesNotContain("{{");
		assertThat(withoutLink.html()).doesNotContain("href");
		assertThat(this.templates.exists("dlq-ops-alert", Channel.PUSH)).isFalse();
	}

	@Test
	void knowsWhichTypesExistPerChannel() {
		assertThat(this.templates.exists("sms-opt-out-confirmation", Channel.SMS)).isTrue();
		assertThat(this.templates.exists("sms-opt-out-confirmation", Channel.EMAIL)).isFalse();
		assertThat(this.templates.exists("no-such-type", Channel.SMS)).isFalse();
		assertThat(this.templates.exists("../templates/test-result-ready", Channel.SMS)).isFalse();
		assertThatExceptionOfType(UnknownTemplateException.class)
			.isThrownBy(() -> this.templates.render("sms-opt-in-confirmation", Channel.PUSH, "en", Map.of()));
	}

	private static String source(String type, String language, String part) throws IOException {
		String path = MustacheMessageTemplates.ROOT + type + "/" + language + "/" + part + ".mustache";
		try (InputStream in = MustacheMessageTemplatesTests.class.getClassLoader().getResourceAsStream(path)) {
			assertThat(in).as(path).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static List<String> concat(List<String> a, List<String> b) {
		List<String> all = new ArrayList<>(a);
		all.addAll(b);
		return all;
	}

}
