"""The unit price of a published line: decided and stored at publication (see
:mod:`pial.allocation.pricing`), read here by the published plan's documents."""

from pial.allocation.pricing import PriceBook, price_published_lines, unit_price_eur

__all__ = ["PriceBook", "price_published_lines", "unit_price_eur"]
