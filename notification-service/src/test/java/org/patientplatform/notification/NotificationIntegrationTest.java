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
 * light on a small machine. Its providers are a closed port unless the class starts its own stand-ins
 * ({@link TestProviders}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(classes = NotificationApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "notification.results.concurrency=1",
				// the providers of a class without TestProviders: a closed port, never the local run's stand-ins (a
				// platform running beside the tests listed their messages as its own)
				"notification.channels.sms.base-url=http://127.0.0.1:1",
				"notification.channels.push.base-url=http://127.0.0.1:1",
				"notification.channels.push.token-uri=http://127.0.0.1:1/token", "notification.channels.email.port=1" })
@ContextConfiguration(initializers = RealInfrastructureInitializer.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public @interface NotificationIntegrationTest {

}
