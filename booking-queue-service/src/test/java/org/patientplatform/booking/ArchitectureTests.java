package org.patientplatform.booking;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.web.bind.annotation.RestController;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

class ArchitectureTests {

	static final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("org.patientplatform.booking");

	@Test
	void usesNoOtherService() {
		noClasses().that()
			.resideInAPackage("org.patientplatform.booking..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.patientplatform.dlq..", "org.patientplatform.notification..",
					"org.patientplatform.patient..", "org.patientplatform.local..")
			.check(classes);
	}

	@Test
	void keepsControllersAndListenersPackagePrivate() {
		classes().that()
			.areAnnotatedWith(RestController.class)
			.should()
			.notBePublic()
			.andShould()
			.haveSimpleNameEndingWith("Endpoint")
			.check(classes);
		methods().that()
			.areAnnotatedWith(KafkaListener.class)
			.should()
			.notBePublic()
			.andShould()
			.beDeclaredInClassesThat()
			.doNotHaveModifier(JavaModifier.PUBLIC)
			.check(classes);
	}

	@Test
	void hasNoCyclesBetweenFeatures() {
		slices().matching("org.patientplatform.booking.(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void keepsSlotsIndependentOfBookingsAndQueue() {
		noClasses().that()
			.resideInAPackage("..booking.slots..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("..booking.bookings..", "..booking.queue..")
			.check(classes);
		noClasses().that()
			.resideInAPackage("..booking.bookings..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("..booking.queue..")
			.check(classes);
	}

}
