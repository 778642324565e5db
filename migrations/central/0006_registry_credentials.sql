-- Each school database has its own owner role; the registry keeps its name and its password,
-- encrypted (AES-256-GCM under SCS_CREDENTIALS_KEY), for the apps that connect to the school.
ALTER TABLE school_registry ADD COLUMN database_role text;
ALTER TABLE school_registry ADD COLUMN database_password_encrypted text;
