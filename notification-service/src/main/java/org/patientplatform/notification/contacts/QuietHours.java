package org.patientplatform.notification.contacts;

import java.time.LocalTime;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.patientplatform.kit.web.ReportedOn;

/**
 * The patient's quiet hours in their own timezone, as {@code HH:mm}; {@code start} after
 * {@code end} spans midnight (21:00 to 08:00). A start equal to its end is refused: it could mean no quiet hours
 * or the whole day (it was taken as none, silently); no quiet hours are sent as none.
 */
public record QuietHours(@NotNull @JsonFormat(pattern = "HH:mm") LocalTime start,
		@NotNull @JsonFormat(pattern = "HH:mm") LocalTime end) {

	@ReportedOn("end")
	@AssertTrue(message = "must differ from start (the same time is no quiet hours or the whole day; for none, "
			+ "send quietHours null)")
	@JsonIgnore
	@Schema(hidden = true)
	public boolean isSpan() {
		return this.start == null || this.end == null || !this.start.equals(this.end);
	}

}
