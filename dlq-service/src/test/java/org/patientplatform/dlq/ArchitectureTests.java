package org.patientplatform.dlq;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Repository;
import org.springframework.web.bind.annotation.RestController;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The module's boundaries, checked on every build. */
class ArchitectureTests {

	static JavaClasses classes;

	@BeforeAll
	static void importClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("org.patientplatform.dlq");
	}

	@Test
	void usesNoOtherServiceAndNotTheKitsWiring() {
		noClasses().that()
			.resideInAPackage("org.patientplatform.dlq..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.patientplatform.notification..", "org.patientplatform.booking..",
					"org.patientplatform.patient..", "org.patientplatform.kit.internal..",
					"org.patientplatform.local..")
			.check(classes);
	}

	@Test
	void keepsControllersRepositoriesAndListenersPackagePrivate() {
		classes().that()
			.areAnnotatedWith(RestController.class)
			.or()
			.areAnnotatedWith(Repository.class)
			.should()
			.notHaveModifier(JavaModifier.PUBLIC)
			.check(classes);
		methods().that()
			.areAnnotatedWith(KafkaListener.class)
			.should()
			.notBePublic()
			.andShould()
			.beDeclaredInClassesThat()
			.areNotPublic()
			.check(classes);
	}

	@Test
	void hasNoCyclesBetweenFeatures() {
		slices().matching("org.patientplatform.dlq.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void reachesStoredPayloadsOnlyThroughCapturesEntryPoint() {
		noClasses().that()
			.resideOutsideOfPackage("org.patientplatform.dlq.capture..")
			.should()
			.dependOnClassesThat()
			.haveSimpleName("PayloadCipher")
			.check(classes);
	}

}
