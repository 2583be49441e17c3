"""Route sheets as an xlsx workbook: one sheet per driver, stops in order."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from pial.rounds.services import DayRounds
from pial.units import french_unit_label as unit_label


def route_workbook(days: list[DayRounds]) -> bytes:
    """Return the workbook of every driver's route sheet of the days."""
    book = Workbook()
    book.remove(book.active)
    for rounds in days:
        for route in rounds.routes:
            title = f"{rounds.day:%d-%m} {route.vehicle_name}"[:31]
            for bad in "[]:*?/\\":
                title = title.replace(bad, " ")
            sheet = book.create_sheet(title)
            sheet.append([f"Tournée du {rounds.day:%d/%m/%Y} — {route.vehicle_name}"])
            sheet["A1"].font = Font(bold=True)
            sheet.append([f"Chauffeur : {route.driver}", f"Téléphone : {route.phone}",
                          f"{route.distance_km:.1f} km", f"{route.duration_min} min"])
            sheet.append([])
            sheet.append(["Heure", "Arrêt", "Charger", "Déposer", "Consignes", "Téléphone"])
            for cell in sheet[4]:
                cell.font = Font(bold=True)
            for stop in route.stops:
                sheet.append([
                    stop.arrival, stop.name,
                    "; ".join(f"{line.product.name_fr} {line.quantity.normalize():f} "
                              f"{unit_label(line.product, line.quantity)} → {line.canteen.name}"
                              for line in stop.load),
                    "; ".join(f"{line.product.name_fr} {line.quantity.normalize():f} "
                              f"{unit_label(line.product, line.quantity)} ({line.farm.name})"
                              for line in stop.drop),
                    stop.instructions, stop.phone,
                ])
            for column, width in zip("ABCDEF", (8, 28, 50, 50, 40, 16), strict=True):
                sheet.column_dimensions[column].width = width
    if not book.sheetnames:
        book.create_sheet("Tournées")
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
