package org.patientplatform.kit.roles;

import java.util.Map;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

class OnRoleCondition implements Condition {

	@Override
	public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnRole.class.getName());
		if (attributes == null) {
			return true;
		}
		String[] roles = (String[]) attributes.get("value");
		return PlatformRoles.from(context.getEnvironment()).anyEnabled(roles);
	}

}
