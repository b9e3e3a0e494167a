-- Point lookups for the customer profile.
CREATE INDEX IF NOT EXISTS items_customer ON items (customer_id);
