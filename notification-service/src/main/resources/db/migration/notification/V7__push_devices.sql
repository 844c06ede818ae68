-- Devices are registered through the API (PUT /api/v1/patients/{patientId}/push-devices/{token}). A device
-- registered by one patient is taken from whoever had it before, found by this index
-- (push_tokens @> ARRAY[token]), so a shared or handed-on device stops receiving the earlier patient's messages.
CREATE INDEX contact_push_tokens ON contact USING gin (push_tokens);
