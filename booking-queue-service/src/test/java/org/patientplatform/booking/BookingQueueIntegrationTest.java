package org.patientplatform.booking;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * The booking queue service's one shared integration-test configuration: the whole application on a
 * random port, its own KRaft broker and its own fresh PostgreSQL database, closed after the class. The tests' slots
 * start on fixed dates years ahead (2030 to 2034), so that none falls into the past while the tests stay as they
 * are; the slots' horizon ({@code booking.slots.max-ahead}, two years by default: {@code SlotHorizonTests}) is
 * raised to ten years to reach them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(classes = BookingQueueApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "booking.slots.max-ahead=P10Y")
@ContextConfiguration(initializers = RealInfrastructureInitializer.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public @interface BookingQueueIntegrationTest {

}
