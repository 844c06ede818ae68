-- A site's slots: a start time and a number of places. One slot per site and start time.
CREATE TABLE slot (
    id          uuid        PRIMARY KEY,
    site_id     text        NOT NULL,
    starts_at   timestamptz NOT NULL,
    capacity    integer     NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slot_one_per_site_and_time UNIQUE (site_id, starts_at),
    -- the target of booking (slot_id, slot_capacity): a booking sees its slot's real capacity
    CONSTRAINT slot_id_capacity UNIQUE (id, capacity)
);

-- Bookings. A booking that holds a place (CONFIRMED, CHECKED_IN, CALLED) owns a place number
-- 1..capacity of its slot, and a place is owned by one booking at most. So, whatever the code does,
-- the database never lets a slot's active bookings exceed its capacity, and a patient never holds two
-- active bookings of one slot. A cancelled booking gives its place back (place_no NULL).
-- Rejected requests are kept too, with the reason, so the requester can read the outcome.
CREATE TABLE booking (
    id             uuid        PRIMARY KEY,
    slot_id        uuid        NOT NULL,
    site_id        text        NOT NULL,
    patient_id     text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('CONFIRMED', 'CHECKED_IN', 'CALLED', 'CANCELLED',
                                                          'REJECTED_FULL', 'REJECTED_ALREADY_BOOKED',
                                                          'REJECTED_UNKNOWN_SLOT')),
    reason         text,
    place_no       integer,
    -- NULL only when the slot does not exist (then the foreign key is not checked: MATCH SIMPLE)
    slot_capacity  integer,
    requested_at   timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_slot FOREIGN KEY (slot_id, slot_capacity) REFERENCES slot (id, capacity),
    CONSTRAINT booking_unknown_slot_only_without_capacity
        CHECK ((status = 'REJECTED_UNKNOWN_SLOT') = (slot_capacity IS NULL)),
    CONSTRAINT booking_place_iff_active
        CHECK ((status IN ('CONFIRMED', 'CHECKED_IN', 'CALLED')) = (place_no IS NOT NULL)),
    CONSTRAINT booking_place_within_capacity
        CHECK (place_no IS NULL OR (slot_capacity IS NOT NULL AND place_no BETWEEN 1 AND slot_capacity)),
    CONSTRAINT booking_one_booking_per_place UNIQUE (slot_id, place_no)
);

CREATE UNIQUE INDEX booking_one_active_per_patient_and_slot ON booking (slot_id, patient_id)
    WHERE place_no IS NOT NULL;
CREATE INDEX booking_patient ON booking (patient_id, requested_at DESC);

-- The queue of each site: checked-in bookings wait in order of check-in until called (or cancelled).
CREATE TABLE queue_entry (
    booking_id     uuid        PRIMARY KEY REFERENCES booking (id),
    site_id        text        NOT NULL,
    patient_id     text        NOT NULL,
    checked_in_at  timestamptz NOT NULL,
    -- order of arrival at this service, the tie-break between equal check-in times
    arrival        bigint      GENERATED ALWAYS AS IDENTITY,
    status         text        NOT NULL CHECK (status IN ('WAITING', 'CALLED', 'LEFT')),
    left_at        timestamptz,
    CONSTRAINT queue_entry_left_at CHECK ((status = 'WAITING') = (left_at IS NULL))
);

CREATE INDEX queue_entry_waiting ON queue_entry (site_id, checked_in_at, arrival) WHERE status = 'WAITING';
