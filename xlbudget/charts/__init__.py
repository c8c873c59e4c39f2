"""Chart data sheets 图1–图7: figures from the tables (``data``), the sheets (``sheets``) and the
staleness rule CH-a (``rule``)."""
