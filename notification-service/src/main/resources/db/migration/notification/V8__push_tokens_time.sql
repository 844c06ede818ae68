-- When the device tokens last changed, apart from the channels and quiet hours (preferences_at): a device registered
-- through the API stamps only this, so a ContactPreferencesChanged made before the registration and arriving after it
-- (an opt-out) still changes the channels, while its older device list does not replace the registered one.
-- Null until the tokens change again: read as preferences_at until then.
ALTER TABLE contact ADD COLUMN push_tokens_at timestamptz;
