"""The published plan of a week, read once for every document: lines, prices, sales.

One floor above allocation (which computes, stores and publishes runs) and below the packages
that show a plan (deliveries, notifications, spreadsheets, money, contracts, home).
"""
