package org.patientplatform.patient;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.web.bind.annotation.RestController;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("org.patientplatform.patient");

	@Test
	void usesNoOtherService() {
		noClasses().that()
			.resideInAPackage("org.patientplatform.patient..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.patientplatform.dlq..", "org.patientplatform.notification..",
					"org.patientplatform.booking..", "org.patientplatform.local..", "org.patientplatform.kit.internal..")
			.check(this.classes);
	}

	@Test
	void keepsControllersAndListenersPackagePrivate() {
		classes().that().areAnnotatedWith(RestController.class).should().notBePublic().check(this.classes);
		classes().that()
			.containAnyMethodsThat(describe("are Kafka listeners", (method) -> method.isAnnotatedWith(KafkaListener.class)))
			.should()
			.notBePublic()
			.check(this.classes);
	}

	@Test
	void keepsRecordsFreeOfTheLisFeed() {
		noClasses().that()
			.resideInAPackage("..patient.records..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("..patient.lis..")
			.check(this.classes);
	}

	@Test
	void keepsOrdersFreeOfTheLisFeedAndRecordsFreeOfOrders() {
		noClasses().that()
			.resideInAPackage("..patient.orders..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("..patient.lis..")
			.check(this.classes);
		noClasses().that()
			.resideInAPackage("..patient.records..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("..patient.orders..")
			.check(this.classes);
	}

	@Test
	void keepsHl7InsideTheLisFeed() {
		noClasses().that()
			.resideOutsideOfPackage("..patient.lis..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("ca.uhn.hl7v2..")
			.check(this.classes);
	}

}
