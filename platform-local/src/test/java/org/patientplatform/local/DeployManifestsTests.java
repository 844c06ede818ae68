package org.patientplatform.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.roles.PlatformService;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validates the Kubernetes manifests in {@code deploy/} (DESIGN §5: "manifests are validated in CI"):
 * every file parses; the seeds' namespaces, deployment and service names, NodePorts and replica counts
 * are kept; every role of DESIGN §2 has exactly one Deployment with actuator probes, resources, at least
 * two replicas and a PodDisruptionBudget; APIs have an HPA, consumers a KEDA ScaledObject; the prod
 * overlay keeps the seeds' names and counts; kustomizations name only files that exist; every seed
 * "Alerting" item has a rule and every service a dashboard. Reads files only: no cluster, no kubectl.
 */
class DeployManifestsTests {

	/** The module directory is the working directory of the tests. */
	static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

	static final String PROD_SUFFIX = "--prod";

	static final String LIVENESS = "/actuator/health/liveness";

	static final String READINESS = "/actuator/health/readiness";

	/**
	 * What the seeds say and DESIGN §2 decides, per service. {@code seedNames}: the seed's deployment
	 * name of each role (in the order of DESIGN §2's table); {@code seedReplicas}: the seed's replica
	 * count (raised to 2 where it is 1); {@code keda}: the min/max replicas the seed recommends for each
	 * consumer role (max 0: the seed names none).
	 */
	record Seed(String namespace, String module, String appClass, int nodePort, Map<String, String> seedNames,
			Map<String, Integer> seedReplicas, Map<String, int[]> keda) {

		Set<String> roles() {
			return this.seedNames.keySet();
		}

		String baseName(String role) {
			String seedName = this.seedNames.get(role);
			return seedName.substring(0, seedName.length() - PROD_SUFFIX.length());
		}

		int minimumReplicas(String role) {
			return Math.max(2, this.seedReplicas.getOrDefault(role, 1));
		}

	}

	static final List<Seed> SEEDS = List.of(
			new Seed("pat--dlq--be", "dlq-service", "org.patientplatform.dlq.DlqApplication", 31871,
					names("pat--dlq--be", "app", "consumer-retry-message", "wrk--default", "wrk--notifications", "cron"),
					Map.of("app", 3), Map.of("consumer-retry-message", new int[] { 2, 0 })),
			new Seed("pat--notification--be", "notification-service",
					"org.patientplatform.notification.NotificationApplication", 30181,
					names("pat--notification--be", "app", "consumer-test-result-notification", "consumer-notification",
							"consumer-notification-update", "wrk--batch-publisher", "wrk--default", "wrk--notifications",
							"cron"),
					Map.of("consumer-test-result-notification", 6, "consumer-notification", 3,
							"consumer-notification-update", 3),
					Map.of("consumer-test-result-notification", new int[] { 6, 15 }, "consumer-notification",
							new int[] { 3, 10 }, "consumer-notification-update", new int[] { 3, 8 })),
			new Seed("spc--booking-qs", "booking-queue-service", "org.patientplatform.booking.BookingQueueApplication",
					31798, orderedMap("app", "spc--booking-qs--be--app--prod", "spc-booking-topic--consumer",
							"spc--spc-booking-topic--consumer--prod"),
					Map.of("app", 3, "spc-booking-topic--consumer", 3),
					Map.of("spc-booking-topic--consumer", new int[] { 3, 10 })),
			new Seed("pat--patient-mgt--be", "patient-service", "org.patientplatform.patient.PatientApplication", 31418,
					names("pat--patient-mgt--be", "app", "consumer-lis-patient", "wrk--default", "wrk--notifications",
							"cron"),
					Map.of(), Map.of("consumer-lis-patient", new int[] { 2, 0 })));

	/** The seeds' "Alerting" items (and the monitoring priorities DESIGN §5 turns into alerts). */
	static final Map<String, Set<String>> SEED_ALERTS = Map.of(
			"pat--dlq--be", Set.of("DlqHighInflow", "DlqBacklogHigh", "DlqOldMessages", "DlqRetryConsumerDown",
					"DlqRetryConsumerLagging", "DlqPermanentFailurePattern"),
			"pat--notification--be", Set.of("NotificationDeliveryFailureRateHigh", "NotificationTestResultConsumerLag"),
			"spc--booking-qs", Set.of("BookingConsumerLag", "BookingApiLatencyHigh"),
			"pat--patient-mgt--be", Set.of("PatientLisSyncLag", "PatientApiErrorRate"));

	record Manifest(Path file, Map<String, Object> doc) {

		String kind() {
			return Objects.toString(this.doc.get("kind"), "");
		}

		String name() {
			return str(at(this.doc, "metadata", "name"));
		}

		String namespace() {
			return str(at(this.doc, "metadata", "namespace"));
		}

		@Override
		public String toString() {
			return kind() + " " + namespace() + "/" + name() + " (" + DEPLOY.relativize(this.file) + ")";
		}

	}

	static final List<Path> files = new ArrayList<>();

	static final Map<Path, String> parseErrors = new TreeMap<>();

	static final List<Manifest> manifests = new ArrayList<>();

	static final Map<Path, Map<String, Object>> kustomizations = new TreeMap<>();

	@BeforeAll
	static void load() throws IOException {
		assertThat(DEPLOY).isDirectory();
		try (Stream<Path> walk = Files.walk(DEPLOY)) {
			walk.filter(Files::isRegularFile).filter(DeployManifestsTests::isManifestFile).sorted().forEach(files::add);
		}
		for (Path file : files) {
			List<Object> docs = new ArrayList<>();
			try (Reader reader = Files.newBufferedReader(file)) {
				new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader).forEach(docs::add);
			}
			catch (RuntimeException ex) {
				parseErrors.put(file, ex.getMessage());
				continue;
			}
			for (Object doc : docs) {
				if (doc == null) {
					continue;
				}
				if (!(doc instanceof Map<?, ?>)) {
					if (!file.toString().endsWith(".json")) {
						parseErrors.put(file, "a document that is not a mapping");
					}
					continue;
				}
				Map<String, Object> map = map(doc);
				if (isKustomizationFile(file)) {
					kustomizations.put(file, map);
				}
				else if (map.containsKey("apiVersion") && map.containsKey("kind")) {
					manifests.add(new Manifest(file, map));
				}
			}
		}
	}

	@Test
	void everyFileParses() {
		assertThat(files).as("files under %s", DEPLOY).isNotEmpty();
		assertThat(parseErrors).as("files that do not parse").isEmpty();
		assertThat(kustomizations.keySet()).as("kustomizations")
			.contains(DEPLOY.resolve("overlays/prod/kustomization.yaml"))
			.contains(DEPLOY.resolve("overlays/local-kind/kustomization.yaml"))
			.contains(DEPLOY.resolve("monitoring/kustomization.yaml"));
		for (Seed seed : SEEDS) {
			assertThat(kustomizations).containsKey(DEPLOY.resolve("base/" + seed.namespace() + "/kustomization.yaml"));
		}
		for (Manifest manifest : manifests) {
			if (!manifest.kind().equals("Cluster")) {
				assertThat(manifest.name()).as("metadata.name of %s", manifest).isNotBlank();
			}
		}
	}

	@Test
	void designRolesAreTheServicesOwn() throws ClassNotFoundException {
		for (Seed seed : SEEDS) {
			PlatformService service = Class.forName(seed.appClass()).getAnnotation(PlatformService.class);
			assertThat(service).as(seed.appClass()).isNotNull();
			assertThat(service.name()).isEqualTo(seed.module());
			assertThat(service.roles()).as("roles of %s (DESIGN §2)", seed.module())
				.containsExactlyElementsOf(seed.roles());
		}
	}

	@Test
	void everyNamespacedObjectIsInASeedNamespace() {
		Set<String> namespaces = SEEDS.stream().map(Seed::namespace).collect(Collectors.toSet());
		assertThat(ofKind("Namespace").stream().map(Manifest::name)).as("Namespaces")
			.containsExactlyInAnyOrderElementsOf(namespaces);
		for (Manifest manifest : manifests) {
			if (Set.of("Namespace", "Cluster").contains(manifest.kind())) {
				continue;
			}
			assertThat(manifest.namespace()).as("metadata.namespace of %s", manifest).isIn(namespaces);
		}
	}

	@Test
	void everyDeploymentHasProbesRoleResourcesAndTwoReplicas() {
		List<String> failures = new ArrayList<>();
		for (Manifest deployment : ofKind("Deployment")) {
			Seed seed = seed(deployment);
			Object replicas = at(deployment.doc(), "spec", "replicas");
			if (!(replicas instanceof Integer count) || count < 2) {
				failures.add(deployment + ": replicas " + replicas + ", needs at least 2");
			}
			List<Object> containers = list(at(deployment.doc(), "spec", "template", "spec", "containers"));
			if (containers.isEmpty()) {
				failures.add(deployment + ": no containers");
			}
			for (Object item : containers) {
				Map<String, Object> container = map(item);
				String where = deployment + " container " + container.get("name");
				Map<String, String> env = env(container);
				String role = env.get("PLATFORM_ROLES");
				if (role == null || !seed.roles().contains(role)) {
					failures.add(where + ": PLATFORM_ROLES " + role + " is not one role of " + seed.module() + " "
							+ seed.roles());
				}
				if (!"8080".equals(env.get("SERVER_PORT"))) {
					failures.add(where + ": SERVER_PORT must be 8080, is " + env.get("SERVER_PORT"));
				}
				if (!httpPortIs8080(container)) {
					failures.add(where + ": needs containerPort 8080 named http");
				}
				failures.addAll(probe(where, container, "livenessProbe", LIVENESS));
				failures.addAll(probe(where, container, "readinessProbe", READINESS));
				for (String bound : List.of("requests", "limits")) {
					for (String resource : List.of("cpu", "memory")) {
						if (str(at(container, "resources", bound, resource)).isBlank()) {
							failures.add(where + ": no resources." + bound + "." + resource);
						}
					}
				}
				if (!str(container.get("image")).startsWith("patient-platform/" + seed.module() + ":")) {
					failures.add(where + ": image " + container.get("image") + " is not patient-platform/"
							+ seed.module());
				}
				String secret = seed.module() + "-secrets";
				if (list(container.get("envFrom")).stream()
					.noneMatch((source) -> secret.equals(str(at(map(source), "secretRef", "name"))))) {
					failures.add(where + ": does not read the Secret " + secret);
				}
			}
		}
		assertThat(failures).isEmpty();
	}

	@Test
	void everyRoleOfDesignHasExactlyOneDeploymentWithTheSeedsName() {
		Map<String, Map<String, List<String>>> found = new TreeMap<>();
		for (Manifest deployment : ofKind("Deployment")) {
			String role = role(deployment);
			found.computeIfAbsent(deployment.namespace(), (ns) -> new TreeMap<>())
				.computeIfAbsent(role, (r) -> new ArrayList<>())
				.add(deployment.name());
		}
		for (Seed seed : SEEDS) {
			Map<String, List<String>> byRole = found.getOrDefault(seed.namespace(), Map.of());
			assertThat(byRole.keySet()).as("roles deployed in %s", seed.namespace())
				.containsExactlyInAnyOrderElementsOf(seed.roles());
			for (String role : seed.roles()) {
				assertThat(byRole.get(role)).as("Deployments of role %s in %s", role, seed.namespace())
					.containsExactly(seed.baseName(role));
			}
		}
	}

	@Test
	void everyAppServiceIsANodePortOnTheSeedsPort() {
		for (Seed seed : SEEDS) {
			List<Manifest> services = ofKind("Service").stream()
				.filter((service) -> service.namespace().equals(seed.namespace()))
				.toList();
			assertThat(services).as("Services in %s", seed.namespace()).hasSize(1);
			Manifest service = services.get(0);
			assertThat(service.name()).as("%s (seed name without %s)", service, PROD_SUFFIX)
				.isEqualTo(seed.baseName("app"));
			assertThat(at(service.doc(), "spec", "type")).as("type of %s", service).isEqualTo("NodePort");
			List<Object> ports = list(at(service.doc(), "spec", "ports"));
			assertThat(ports).as("ports of %s", service).hasSize(1);
			Map<String, Object> port = map(ports.get(0));
			assertThat(port.get("nodePort")).as("nodePort of %s", service).isEqualTo(seed.nodePort());
			assertThat(port.get("port")).as("port of %s (seed: 80)", service).isEqualTo(80);
			assertThat(port.get("targetPort")).as("targetPort of %s", service).isIn("http", 8080);
			Manifest app = deployment(seed, "app");
			assertThat(podLabels(app)).as("pods of %s selected by %s", app, service)
				.containsAllEntriesOf(stringMap(at(service.doc(), "spec", "selector")));
			assertThat(map(at(service.doc(), "spec", "selector"))).as("selector of %s", service).isNotEmpty();
		}
	}

	@Test
	void everyDeploymentIsCoveredByAPodDisruptionBudget() {
		List<String> failures = new ArrayList<>();
		for (Manifest deployment : ofKind("Deployment")) {
			Map<String, String> labels = podLabels(deployment);
			List<Manifest> budgets = ofKind("PodDisruptionBudget").stream()
				.filter((pdb) -> pdb.namespace().equals(deployment.namespace()))
				.filter((pdb) -> {
					Map<String, String> selector = stringMap(at(pdb.doc(), "spec", "selector", "matchLabels"));
					return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
				})
				.toList();
			if (budgets.size() != 1) {
				failures.add(deployment + ": covered by " + budgets.size() + " PodDisruptionBudgets, needs 1");
				continue;
			}
			Map<String, Object> spec = map(budgets.get(0).doc().get("spec"));
			if (!spec.containsKey("maxUnavailable") && !spec.containsKey("minAvailable")) {
				failures.add(budgets.get(0) + ": neither maxUnavailable nor minAvailable");
			}
			if (spec.get("minAvailable") instanceof Integer min
					&& at(deployment.doc(), "spec", "replicas") instanceof Integer replicas && min >= replicas) {
				failures.add(budgets.get(0) + ": minAvailable " + min + " would block every eviction");
			}
		}
		assertThat(failures).isEmpty();
	}

	@Test
	void everyAppHasAHorizontalPodAutoscaler() {
		for (Seed seed : SEEDS) {
			String app = seed.baseName("app");
			List<Manifest> hpas = ofKind("HorizontalPodAutoscaler").stream()
				.filter((hpa) -> hpa.namespace().equals(seed.namespace()))
				.filter((hpa) -> app.equals(str(at(hpa.doc(), "spec", "scaleTargetRef", "name"))))
				.toList();
			assertThat(hpas).as("HPAs of %s", app).hasSize(1);
			Map<String, Object> spec = map(hpas.get(0).doc().get("spec"));
			assertThat(at(spec, "scaleTargetRef", "kind")).isEqualTo("Deployment");
			assertThat((Integer) spec.get("minReplicas")).as("minReplicas of %s", hpas.get(0))
				.isGreaterThanOrEqualTo(seed.minimumReplicas("app"));
			assertThat((Integer) spec.get("maxReplicas")).as("maxReplicas of %s", hpas.get(0))
				.isGreaterThan((Integer) spec.get("minReplicas"));
			assertThat(list(spec.get("metrics"))).as("metrics of %s", hpas.get(0)).isNotEmpty();
		}
		Set<String> kedaTargets = ofKind("ScaledObject").stream()
			.map((so) -> so.namespace() + "/" + str(at(so.doc(), "spec", "scaleTargetRef", "name")))
			.collect(Collectors.toSet());
		for (Manifest hpa : ofKind("HorizontalPodAutoscaler")) {
			assertThat(hpa.namespace() + "/" + str(at(hpa.doc(), "spec", "scaleTargetRef", "name")))
				.as("%s targets a Deployment KEDA scales already", hpa)
				.isNotIn(kedaTargets);
		}
	}

	@Test
	void everyConsumerRoleHasAKedaScaledObjectOnKafkaLag() {
		List<String> failures = new ArrayList<>();
		for (Seed seed : SEEDS) {
			Set<String> envKeys = configMapKeys(seed);
			for (String role : seed.roles()) {
				if (!isConsumer(role)) {
					continue;
				}
				String target = seed.baseName(role);
				List<Manifest> scaled = ofKind("ScaledObject").stream()
					.filter((so) -> so.namespace().equals(seed.namespace()))
					.filter((so) -> target.equals(str(at(so.doc(), "spec", "scaleTargetRef", "name"))))
					.toList();
				if (scaled.size() != 1) {
					failures.add(seed.namespace() + "/" + target + ": " + scaled.size() + " ScaledObjects, needs 1");
					continue;
				}
				Manifest so = scaled.get(0);
				Map<String, Object> spec = map(so.doc().get("spec"));
				if (!"keda.sh/v1alpha1".equals(so.doc().get("apiVersion"))) {
					failures.add(so + ": apiVersion must be keda.sh/v1alpha1");
				}
				int[] recommended = seed.keda().get(role);
				int min = (spec.get("minReplicaCount") instanceof Integer value) ? value : 0;
				int max = (spec.get("maxReplicaCount") instanceof Integer value) ? value : 0;
				if (min < Math.max(2, recommended[0])) {
					failures.add(so + ": minReplicaCount " + min + ", the seed recommends " + recommended[0]
							+ " (never below 2)");
				}
				if (max < Math.max(min, recommended[1])) {
					failures.add(so + ": maxReplicaCount " + max + ", the seed recommends " + recommended[1]);
				}
				List<Object> triggers = list(spec.get("triggers"));
				if (triggers.isEmpty()) {
					failures.add(so + ": no triggers");
				}
				for (Object item : triggers) {
					Map<String, Object> trigger = map(item);
					Map<String, Object> metadata = map(trigger.get("metadata"));
					if (!"kafka".equals(trigger.get("type"))) {
						failures.add(so + ": trigger type " + trigger.get("type") + ", needs kafka");
					}
					if (!str(metadata.get("lagThreshold")).matches("[1-9][0-9]*")) {
						failures.add(so + ": lagThreshold " + metadata.get("lagThreshold"));
					}
					if (str(metadata.get("consumerGroup")).isBlank() || str(metadata.get("topic")).isBlank()) {
						failures.add(so + ": a trigger without consumerGroup or topic");
					}
					String fromEnv = str(metadata.get("bootstrapServersFromEnv"));
					if (fromEnv.isBlank() && str(metadata.get("bootstrapServers")).isBlank()) {
						failures.add(so + ": a trigger without bootstrap servers");
					}
					if (!fromEnv.isBlank() && !envKeys.contains(fromEnv)) {
						failures.add(so + ": bootstrapServersFromEnv " + fromEnv + " is not in the ConfigMap");
					}
				}
				if (PROD_SUFFIX.length() + so.name().length() > 63) {
					failures.add(so + ": name too long for KEDA's label once suffixed (63)");
				}
			}
		}
		assertThat(failures).isEmpty();
	}

	@Test
	void prodOverlayKeepsTheSeedsNamesCountsAndSetsImageTags() {
		Path dir = DEPLOY.resolve("overlays/prod");
		Map<String, Object> prod = kustomizations.get(dir.resolve("kustomization.yaml"));
		assertThat(prod).as("overlays/prod/kustomization.yaml").isNotNull();
		assertThat(prod.get("nameSuffix")).as("nameSuffix: base names + suffix = seed names").isEqualTo(PROD_SUFFIX);
		assertThat(prod).doesNotContainKey("namePrefix");
		Set<Path> bases = list(prod.get("resources")).stream()
			.map((entry) -> dir.resolve(str(entry)).normalize())
			.collect(Collectors.toSet());
		for (Seed seed : SEEDS) {
			assertThat(bases).as("prod resources").contains(DEPLOY.resolve("base/" + seed.namespace()));
		}
		Map<String, Integer> counts = new LinkedHashMap<>();
		for (Object entry : list(prod.get("replicas"))) {
			counts.put(str(map(entry).get("name")), (Integer) map(entry).get("count"));
		}
		Set<String> deploymentNames = ofKind("Deployment").stream().map(Manifest::name).collect(Collectors.toSet());
		assertThat(deploymentNames).as("replicas entries of prod name base Deployments")
			.containsAll(counts.keySet());
		for (Seed seed : SEEDS) {
			for (String role : seed.roles()) {
				Manifest deployment = deployment(seed, role);
				int count = counts.getOrDefault(deployment.name(), (Integer) at(deployment.doc(), "spec", "replicas"));
				assertThat(count).as("prod replicas of %s (seed %s)", seed.seedNames().get(role),
						seed.seedReplicas().getOrDefault(role, 1))
					.isGreaterThanOrEqualTo(seed.minimumReplicas(role));
				assertThat(deployment.name() + PROD_SUFFIX).isEqualTo(seed.seedNames().get(role));
			}
			Set<String> images = list(prod.get("images")).stream()
				.map(DeployManifestsTests::map)
				.filter((image) -> !str(image.get("newTag")).isBlank() || !str(image.get("digest")).isBlank())
				.map((image) -> str(image.get("name")))
				.collect(Collectors.toSet());
			assertThat(images).as("prod images with a tag").contains("patient-platform/" + seed.module());
			assertThat((seed.baseName("app") + PROD_SUFFIX).length()).as("Service name length").isLessThanOrEqualTo(63);
		}
	}

	@Test
	void kustomizationsListOnlyFilesThatExist() {
		List<String> failures = new ArrayList<>();
		for (Map.Entry<Path, Map<String, Object>> entry : kustomizations.entrySet()) {
			Path dir = entry.getKey().getParent();
			for (Reference reference : references(entry.getValue())) {
				if (reference.path().contains("://") || reference.path().startsWith("github.com/")) {
					continue;
				}
				Path target = dir.resolve(reference.path()).normalize();
				String where = DEPLOY.relativize(entry.getKey()) + " " + reference.field() + " " + reference.path();
				if (reference.directoryAllowed() && Files.isDirectory(target)) {
					if (Stream.of("kustomization.yaml", "kustomization.yml", "Kustomization")
						.noneMatch((name) -> Files.isRegularFile(target.resolve(name)))) {
						failures.add(where + ": a directory without a kustomization");
					}
				}
				else if (!Files.isRegularFile(target)) {
					failures.add(where + ": no such file");
				}
			}
		}
		assertThat(failures).isEmpty();
	}

	@Test
	void everyManifestIsListedByAKustomization() {
		Set<Path> listed = new HashSet<>();
		for (Map.Entry<Path, Map<String, Object>> entry : kustomizations.entrySet()) {
			for (Reference reference : references(entry.getValue())) {
				listed.add(entry.getKey().getParent().resolve(reference.path()).normalize());
			}
		}
		List<Path> orphans = files.stream()
			.filter((file) -> file.startsWith(DEPLOY.resolve("base")) || file.startsWith(DEPLOY.resolve("monitoring")))
			.filter((file) -> !isKustomizationFile(file) && !isExample(file))
			.filter((file) -> !listed.contains(file))
			.toList();
		assertThat(orphans).as("files no kustomization includes (forgotten in resources?)").isEmpty();
	}

	@Test
	void noSecretValueIsCommitted() {
		for (Manifest secret : ofKind("Secret")) {
			assertThat(isExample(secret.file())).as("%s must be an *.example.yaml", secret).isTrue();
			Map<String, String> data = stringMap(secret.doc().get("stringData"));
			assertThat(secret.doc()).as("%s: only stringData placeholders", secret).doesNotContainKey("data");
			data.forEach((key, value) -> {
				if (key.contains("PASSWORD") || key.contains("KEYS_")) {
					assertThat(value).as("%s %s", secret, key).startsWith("<");
				}
			});
		}
		for (Map.Entry<Path, Map<String, Object>> entry : kustomizations.entrySet()) {
			for (Reference reference : references(entry.getValue())) {
				assertThat(reference.path()).as("%s lists an example", entry.getKey()).doesNotEndWith(".example.yaml");
			}
		}
		for (Seed seed : SEEDS) {
			assertThat(ofKind("Secret").stream()
				.filter((secret) -> secret.namespace().equals(seed.namespace()))
				.map(Manifest::name)).as("secret.example.yaml of %s", seed.namespace())
				.containsExactly(seed.module() + "-secrets");
		}
	}

	@Test
	void everySeedAlertHasARuleAndEveryServiceADashboard() {
		List<String> failures = new ArrayList<>();
		for (Seed seed : SEEDS) {
			Set<String> alerts = new TreeSet<>();
			for (Manifest rule : ofKind("PrometheusRule")) {
				if (!rule.namespace().equals(seed.namespace())) {
					continue;
				}
				for (Object group : list(at(rule.doc(), "spec", "groups"))) {
					for (Object item : list(map(group).get("rules"))) {
						Map<String, Object> alert = map(item);
						String name = str(alert.get("alert"));
						alerts.add(name);
						String expr = str(alert.get("expr"));
						if (!expr.contains("namespace=\"" + seed.namespace() + "\"")) {
							failures.add(rule + " " + name + ": expr does not select namespace " + seed.namespace());
						}
						if (!Set.of("info", "warning", "critical").contains(str(at(alert, "labels", "severity")))) {
							failures.add(rule + " " + name + ": severity label");
						}
						if (str(at(alert, "annotations", "summary")).isBlank() || str(alert.get("for")).isBlank()) {
							failures.add(rule + " " + name + ": needs annotations.summary and for");
						}
					}
				}
			}
			Set<String> missing = new TreeSet<>(SEED_ALERTS.get(seed.namespace()));
			missing.removeAll(alerts);
			if (!missing.isEmpty()) {
				failures.add(seed.namespace() + ": no rule for seed alerts " + missing);
			}
			Path dashboard = DEPLOY.resolve("monitoring/dashboards/" + seed.module() + ".json");
			if (!Files.isRegularFile(dashboard) || parseErrors.containsKey(dashboard)) {
				failures.add(seed.module() + ": no dashboard " + dashboard);
				continue;
			}
			try (Reader reader = Files.newBufferedReader(dashboard)) {
				Map<String, Object> json = map(new Yaml(new SafeConstructor(new LoaderOptions())).load(reader));
				List<Object> panels = list(json.get("panels"));
				long queries = panels.stream()
					.flatMap((panel) -> list(map(panel).get("targets")).stream())
					.filter((target) -> !str(map(target).get("expr")).isBlank())
					.count();
				if (str(json.get("uid")).isBlank() || queries < 5) {
					failures.add(dashboard + ": needs a uid and panels with queries");
				}
			}
			catch (IOException ex) {
				failures.add(dashboard + ": " + ex.getMessage());
			}
		}
		assertThat(failures).isEmpty();
	}

	// --- what a kustomization refers to

	record Reference(String field, String path, boolean directoryAllowed) {
	}

	static List<Reference> references(Map<String, Object> kustomization) {
		List<Reference> references = new ArrayList<>();
		for (String field : List.of("resources", "components", "bases")) {
			list(kustomization.get(field)).forEach((entry) -> references.add(new Reference(field, str(entry), true)));
		}
		for (String field : List.of("configurations", "crds", "generators", "transformers", "validators",
				"patchesStrategicMerge")) {
			for (Object entry : list(kustomization.get(field))) {
				String path = str(entry);
				if (!path.contains("\n")) {
					references.add(new Reference(field, path, false));
				}
			}
		}
		for (String field : List.of("patches", "patchesJson6902")) {
			for (Object entry : list(kustomization.get(field))) {
				if (entry instanceof Map<?, ?> patch && patch.get("path") != null) {
					references.add(new Reference(field, str(patch.get("path")), false));
				}
			}
		}
		for (String field : List.of("configMapGenerator", "secretGenerator")) {
			for (Object entry : list(kustomization.get(field))) {
				Map<String, Object> generator = map(entry);
				for (Object file : list(generator.get("files"))) {
					String path = str(file);
					references.add(new Reference(field + ".files", path.substring(path.indexOf('=') + 1), false));
				}
				for (Object env : list(generator.get("envs"))) {
					references.add(new Reference(field + ".envs", str(env), false));
				}
				if (generator.get("env") != null) {
					references.add(new Reference(field + ".env", str(generator.get("env")), false));
				}
			}
		}
		return references;
	}

	// --- helpers

	static Map<String, String> names(String prefix, String... roles) {
		Map<String, String> names = new LinkedHashMap<>();
		for (String role : roles) {
			names.put(role, prefix + "--" + role + PROD_SUFFIX);
		}
		return names;
	}

	static Map<String, String> orderedMap(String... keysAndValues) {
		Map<String, String> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put(keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}

	static boolean isManifestFile(Path file) {
		String name = file.getFileName().toString();
		return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
	}

	static boolean isKustomizationFile(Path file) {
		String name = file.getFileName().toString();
		return name.equals("kustomization.yaml") || name.equals("kustomization.yml");
	}

	static boolean isExample(Path file) {
		return file.getFileName().toString().endsWith(".example.yaml");
	}

	static boolean isConsumer(String role) {
		return role.startsWith("consumer-") || role.endsWith("--consumer");
	}

	static List<Manifest> ofKind(String kind) {
		return manifests.stream().filter((manifest) -> manifest.kind().equals(kind)).toList();
	}

	static Seed seed(Manifest manifest) {
		return SEEDS.stream()
			.filter((seed) -> seed.namespace().equals(manifest.namespace()))
			.findFirst()
			.orElseThrow(() -> new AssertionError(manifest + " is in no seed namespace"));
	}

	static Manifest deployment(Seed seed, String role) {
		List<Manifest> found = ofKind("Deployment").stream()
			.filter((deployment) -> deployment.namespace().equals(seed.namespace()))
			.filter((deployment) -> role.equals(role(deployment)))
			.toList();
		assertThat(found).as("Deployments of %s in %s", role, seed.namespace()).hasSize(1);
		return found.get(0);
	}

	static String role(Manifest deployment) {
		Set<String> roles = new LinkedHashSet<>();
		for (Object container : list(at(deployment.doc(), "spec", "template", "spec", "containers"))) {
			roles.add(Objects.toString(env(map(container)).get("PLATFORM_ROLES"), ""));
		}
		return String.join(",", roles);
	}

	static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> env = new LinkedHashMap<>();
		for (Object item : list(container.get("env"))) {
			Map<String, Object> variable = map(item);
			env.put(str(variable.get("name")), (variable.get("value") != null) ? str(variable.get("value")) : null);
		}
		return env;
	}

	static boolean httpPortIs8080(Map<String, Object> container) {
		return list(container.get("ports")).stream()
			.map(DeployManifestsTests::map)
			.anyMatch((port) -> "http".equals(port.get("name")) && Integer.valueOf(8080).equals(port.get("containerPort")));
	}

	static List<String> probe(String where, Map<String, Object> container, String probe, String path) {
		Object get = at(container, probe, "httpGet");
		if (get == null) {
			return List.of(where + ": no " + probe + " with httpGet");
		}
		List<String> failures = new ArrayList<>();
		if (!path.equals(str(map(get).get("path")))) {
			failures.add(where + ": " + probe + " path " + map(get).get("path") + ", needs " + path);
		}
		Object port = map(get).get("port");
		if (!"http".equals(port) && !Integer.valueOf(8080).equals(port)) {
			failures.add(where + ": " + probe + " port " + port + ", needs http (8080)");
		}
		return failures;
	}

	static Map<String, String> podLabels(Manifest deployment) {
		return stringMap(at(deployment.doc(), "spec", "template", "metadata", "labels"));
	}

	/** Keys the base kustomization's ConfigMap generator gives the service's Deployments. */
	static Set<String> configMapKeys(Seed seed) {
		Map<String, Object> base = kustomizations.get(DEPLOY.resolve("base/" + seed.namespace() + "/kustomization.yaml"));
		Set<String> keys = new HashSet<>();
		if (base == null) {
			return keys;
		}
		for (Object generator : list(base.get("configMapGenerator"))) {
			for (Object literal : list(map(generator).get("literals"))) {
				keys.add(str(literal).split("=", 2)[0]);
			}
		}
		return keys;
	}

	static Object at(Object node, String... path) {
		Object current = node;
		for (String key : path) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(key);
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object node) {
		return (node instanceof Map<?, ?>) ? (Map<String, Object>) node : Map.of();
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(Object node) {
		return (node instanceof List<?>) ? (List<Object>) node : List.of();
	}

	static Map<String, String> stringMap(Object node) {
		Map<String, String> strings = new LinkedHashMap<>();
		map(node).forEach((key, value) -> strings.put(key, str(value)));
		return strings;
	}

	static String str(Object value) {
		return (value != null) ? value.toString() : "";
	}

}
