package org.patientplatform.booking.slots;

import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** How far ahead a slot may start by default (two years), on a fixed clock; outside Spring, with no properties. */
class SlotHorizonTests {

	static final Instant NOW = Instant.parse("2026-12-07T09:30:00Z");

	ValidatorFactory validation;

	Validator validator;

	@BeforeEach
	void startValidation() {
		Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
		this.validation = Validation.byDefaultProvider().configure().clockProvider(() -> clock).buildValidatorFactory();
		this.validator = this.validation.getValidator();
	}

	@AfterEach
	void stopValidation() {
		this.validation.close();
	}

	@Test
	void takesASlotUpToTwoYearsAheadAndRefusesOneFurtherAsALikelyTypo() {
		assertThat(violations("2028-12-07T09:30:00Z")).isEmpty();
		assertThat(violations("2027-06-01T08:00:00Z")).isEmpty();
		assertThat(violations("2028-12-07T09:30:01Z")).containsExactly("slots[0].startsAt must be at most 2 years "
				+ "ahead (booking.slots.max-ahead): a start further out is likely a typo in its year; the latest start "
				+ "now is 2028-12-07T09:30:00Z");
		assertThat(violations("9999-12-31T23:59:59Z")).singleElement().asString().contains("at most 2 years ahead");
		// the past stays @Future's
		assertThat(violations("2026-12-07T09:29:59Z")).singleElement().asString().contains("future");
	}

	@Test
	void spellsTheHorizonAndRefusesNoneAtAll() {
		assertThat(WithinSlotHorizon.Validator.spelt(Period.ofYears(1))).isEqualTo("1 year");
		assertThat(WithinSlotHorizon.Validator.spelt(Period.of(1, 6, 0))).isEqualTo("1 year 6 months");
		assertThat(WithinSlotHorizon.Validator.spelt(Period.ofDays(400))).isEqualTo("400 days");
		// unset, the bound setting is the default the validator holds to outside Spring
		assertThat(new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("booking.slots",
				SlotsProperties.class).maxAhead()).isEqualTo(SlotsProperties.DEFAULT_MAX_AHEAD).isEqualTo(Period.ofYears(2));
		assertThat(new Binder(new MapConfigurationPropertySource(Map.of("booking.slots.max-ahead", "P18M")))
			.bindOrCreate("booking.slots", SlotsProperties.class)
			.maxAhead()).isEqualTo(Period.ofMonths(18));
		assertThatIllegalArgumentException().isThrownBy(() -> new SlotsProperties(Period.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> new SlotsProperties(Period.ofMonths(-1)));
	}

	private List<String> violations(String startsAt) {
		Set<ConstraintViolation<CreateSlots>> found = this.validator
			.validate(new CreateSlots(List.of(new CreateSlots.NewSlot(Instant.parse(startsAt), 2))));
		return found.stream().map((violation) -> violation.getPropertyPath() + " " + violation.getMessage()).toList();
	}

}
