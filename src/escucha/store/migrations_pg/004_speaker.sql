-- Whose words a voice holds: NULL or 'customer' (the default), 'agent' when the company's (an agent,
-- the brand's account, an owner's reply). The store leaves agents' voices out of every customer figure.
-- The replies agents wrote through escucha's cases (source 'escucha_cases') are agents' voices.
ALTER TABLE items ADD COLUMN speaker TEXT;
UPDATE items SET speaker = 'agent' WHERE source = 'escucha_cases';
