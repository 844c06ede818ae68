package org.patientplatform.notification;

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
 * The notification service's one shared integration-test configuration: the whole
 * application on a random port, its own KRaft broker and its own fresh PostgreSQL
 * database, closed after the class. One consumer thread for test results keeps the tests
 * light on a small machine.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(classes = NotificationApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "notification.results.concurrency=1")
@ContextConfiguration(initializers = RealInfrastructureInitializer.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public @interface NotificationIntegrationTest {

}
