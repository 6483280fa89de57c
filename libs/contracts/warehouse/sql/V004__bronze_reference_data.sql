-- Reference data: customers, stores and the blacklist rule FR-005 reads
-- (the fraud-detector refreshes it periodically without a restart).
CREATE TABLE bronze.customers (
    customer_id        text PRIMARY KEY,
    home_city          text NOT NULL,
    home_latitude      double precision NOT NULL CHECK (home_latitude BETWEEN -90 AND 90),
    home_longitude     double precision NOT NULL CHECK (home_longitude BETWEEN -180 AND 180),
    favourite_category text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bronze.stores (
    store_id   text PRIMARY KEY,
    city       text NOT NULL,
    latitude   double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude  double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    category   text NOT NULL,
    online     boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bronze.blacklist (
    entity_type text NOT NULL CHECK (entity_type IN ('customer', 'store')),
    entity_id   text NOT NULL,
    reason      text NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_type, entity_id)
);
