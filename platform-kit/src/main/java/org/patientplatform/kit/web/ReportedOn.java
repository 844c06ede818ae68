package org.patientplatform.kit.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The request field a cross-field check ({@code @AssertTrue boolean isPayloadReadable()}) reports its error
 * on. Bean Validation names such an error after the method ({@code payloadReadable}), a name the request
 * has no field for; with this, a 400 names {@code payload} (in a nested object, {@code headers[0].key}).
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ReportedOn {

	/** The field's name, as the request spells it. */
	String value();

}
