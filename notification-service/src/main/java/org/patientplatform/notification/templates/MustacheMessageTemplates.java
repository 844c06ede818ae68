package org.patientplatform.notification.templates;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import org.patientplatform.notification.delivery.Channel;

import org.springframework.stereotype.Component;

/**
 * Templates rendered with Mustache (jmustache), a logic-less engine: a template can only
 * show a parameter it names, or a section when a parameter is present. They live on the
 * classpath under {@code notification/templates/<type>/<language>/}, one file per part:
 * {@code sms}, {@code email-subject}, {@code email-text}, {@code email-html},
 * {@code push-title}, {@code push-body} (each {@code .mustache}). English ({@code en}) is
 * the fallback of every other language. A missing parameter renders as nothing; HTML parts
 * escape what they show.
 */
@Component
class MustacheMessageTemplates implements MessageTemplates {

	static final String ROOT = "notification/templates/";

	static final String FALLBACK_LANGUAGE = "en";

	private static final Pattern TYPE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

	private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");

	private static final Set<String> NO_TRAILING_SPACE = Set.of("sms", "email-subject", "push-title", "push-body");

	private static final List<String> PARTS = List.of("sms", "email-subject", "email-text", "email-html", "push-title",
			"push-body");

	private final Mustache.Compiler text = Mustache.compiler()
		.escapeHTML(false)
		.defaultValue("")
		.emptyStringIsFalse(true);

	// the five characters that matter in HTML text and quoted attributes; '=' and '`' stay readable in links
	private final Mustache.Compiler html = this.text.escapeHTML(true)
		.withEscaper(Escapers.simple(new String[][] { { "&", "&amp;" }, { "<", "&lt;" }, { ">", "&gt;" },
				{ "\"", "&quot;" }, { "'", "&#39;" } }));

	private final ClassLoader classLoader;

	private final Map<String, Optional<Template>> cache = new ConcurrentHashMap<>();

	MustacheMessageTemplates() {
		this(MustacheMessageTemplates.class.getClassLoader());
	}

	MustacheMessageTemplates(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	@Override
	public RenderedMessage render(String type, Channel channel, String language, Map<String, String> parameters) {
		if (!exists(type, channel)) {
			throw new UnknownTemplateException(type, channel);
		}
		String used = language(type, channel, language);
		return switch (channel) {
			case SMS -> {
				String body = part(type, used, "sms", parameters);
				yield new RenderedMessage(null, body, null, used, SmsSegments.of(body).segments());
			}
			case EMAIL -> new RenderedMessage(part(type, used, "email-subject", parameters),
					part(type, used, "email-text", parameters), part(type, used, "email-html", parameters), used, 0);
			case PUSH -> new RenderedMessage(part(type, used, "push-title", parameters),
					part(type, used, "push-body", parameters), null, used, 0);
		};
	}

	@Override
	public boolean exists(String type, Channel channel) {
		return TYPE.matcher(type).matches() && template(type, FALLBACK_LANGUAGE, firstPart(channel)).isPresent();
	}

	@Override
	public Set<String> parameters(String type) {
		if (!TYPE.matcher(type).matches()) {
			return Set.of();
		}
		Set<String> names = new TreeSet<>();
		Mustache.Visitor topLevel = new Mustache.Visitor() {

			@Override
			public void visitText(String text) {
			}

			@Override
			public void visitVariable(String name) {
				names.add(name);
			}

			@Override
			public boolean visitInclude(String name) {
				return false;
			}

			// what a section shows depends on its value: none of its parameters is required
			@Override
			public boolean visitSection(String name) {
				return false;
			}

			@Override
			public boolean visitInvertedSection(String name) {
				return false;
			}

		};
		for (String part : PARTS) {
			template(type, FALLBACK_LANGUAGE, part).ifPresent((template) -> template.visit(topLevel));
		}
		return Set.copyOf(names);
	}

	/** The language used for a requested one: its primary subtag when the type has it, else English. */
	private String language(String type, Channel channel, String requested) {
		String primary = Locale.forLanguageTag(requested.trim().replace('_', '-')).getLanguage().toLowerCase(Locale.ROOT);
		if (LANGUAGE.matcher(primary).matches() && template(type, primary, firstPart(channel)).isPresent()) {
			return primary;
		}
		return FALLBACK_LANGUAGE;
	}

	private String part(String type, String language, String part, Map<String, String> parameters) {
		Template template = template(type, language, part).or(() -> template(type, FALLBACK_LANGUAGE, part))
			.orElseThrow(() -> new IllegalStateException("Template part missing: " + type + "/" + part));
		String rendered = template.execute(parameters);
		return NO_TRAILING_SPACE.contains(part) ? rendered.strip() : rendered.stripTrailing() + "\n";
	}

	private Optional<Template> template(String type, String language, String part) {
		String path = ROOT + type + "/" + language + "/" + part + ".mustache";
		return this.cache.computeIfAbsent(path, (key) -> load(key, part.equals("email-html")));
	}

	private Optional<Template> load(String path, boolean escapeHtml) {
		InputStream in = this.classLoader.getResourceAsStream(path);
		if (in == null) {
			return Optional.empty();
		}
		try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
			return Optional.of((escapeHtml ? this.html : this.text).compile(reader));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Template " + path + " cannot be read", ex);
		}
	}

	private static String firstPart(Channel channel) {
		return switch (channel) {
			case SMS -> "sms";
			case EMAIL -> "email-text";
			case PUSH -> "push-body";
		};
	}

}
