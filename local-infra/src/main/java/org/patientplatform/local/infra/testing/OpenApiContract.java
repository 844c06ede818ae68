package org.patientplatform.local.infra.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an OpenAPI 3.1 validator refuses in a service's document, or a client made from it would read wrongly: a
 * parameter or a header without a schema, a pattern not anchored or in Java's dialect (JSON Schema's is ECMA-262's and
 * matches anywhere), an error answer in problem+json without its schema, an operation under {@code /api/} without the
 * 406 it answers to an {@code Accept} it cannot write. Each service's tests check its own document with it.
 */
public final class OpenApiContract {

	private OpenApiContract() {
	}

	/**
	 * The faults of a document, none when it is sound. The document is kept as
	 * {@code target/openapi-<service>.json}, for a linter ({@code npx @redocly/cli lint}).
	 * @param document the document, as {@code /v3/api-docs} answers it
	 * @param service the service's name, for the kept file's
	 * @return each fault, where it is and what
	 */
	public static List<String> faults(String document, String service) throws IOException {
		Files.writeString(Path.of("target", "openapi-" + service + ".json"), document);
		JsonNode api = JsonMapper.shared().readTree(document);
		List<String> faults = new ArrayList<>();
		api.path("paths").forEachEntry((path, item) -> item.forEachEntry((method, operation) -> {
			String where = method + " " + path;
			operation.path("parameters").forEach((parameter) -> {
				if (!parameter.has("schema") && !parameter.has("content")) {
					faults.add(where + ": parameter " + parameter.path("name").asString() + " has no schema");
				}
			});
			operation.path("responses").forEachEntry((status, response) -> {
				response.path("headers").forEachEntry((name, header) -> {
					if (!header.has("schema") && !header.has("content")) {
						faults.add(where + " " + status + ": header " + name + " has no schema");
					}
				});
				JsonNode problem = response.at("/content/application~1problem+json");
				if (status.matches("[45]..") && !problem.isMissingNode() && !problem.has("schema")) {
					faults.add(where + " " + status + ": problem+json without a schema");
				}
			});
			if (path.startsWith("/api/") && !operation.path("responses").has("406")) {
				faults.add(where + ": no 406");
			}
		}));
		patternFaults(api, "", faults);
		return faults;
	}

	private static void patternFaults(JsonNode node, String where, List<String> faults) {
		node.forEachEntry((name, value) -> {
			if ("pattern".equals(name) && value.isString()) {
				String pattern = value.asString();
				if (!pattern.startsWith("^") || !pattern.endsWith("$") || pattern.contains("(?i)")
						|| pattern.contains("(?s)")) {
					faults.add(where + ": pattern " + pattern);
				}
			}
			else if (value.isContainer()) {
				patternFaults(value, where + "/" + name, faults);
			}
		});
		if (node.isArray()) {
			node.forEach((each) -> patternFaults(each, where + "[]", faults));
		}
	}

}
