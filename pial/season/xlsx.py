"""Season workbooks: the forecast, the plan, a tender lot's template and its answer.

The answer is what the lead attaches to a joint bid: the lot and its lead member, the price
schedule (production cost + margin + intermediation fee = unit price, per product), the
volumes committed and what they are worth a year, the members and their shares of volume and
value, and the risk each committed volume carries. The lot template is read back with the
spreadsheets' defences (size, zip bomb, no formulas) and every problem named by sheet and row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from pial.clock import today_in_paris
from pial.models import Canteen, CanteenGroup, Product, SeasonPlan, TenderLot
from pial.rounding import line_value_eur
from pial.season.services import PlanView, SeasonForecast
from pial.sheet_layout import finish_workbook, set_print_layout
from pial.spreadsheets.data import SheetProblem
from pial.spreadsheets.reading import UploadLimits, UploadRefused, check_container
from pial.spreadsheets.styles import (
    DATE_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    QUANTITY_FORMAT,
    TITLE_FONT,
    set_text,
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_LABELS = {"kg": "kg", "piece": "pièce", "bunch": "botte"}
LOT_SHEET = "Lot"
PRODUCTS_SHEET = "Produits"
CATALOGUE_SHEET = "Catalogue"
LOT_FIELDS = (
    ("title", "Intitulé"),
    ("tender_reference", "Référence de la consultation"),
    ("lot_label", "Lot"),
    ("buyer", "Acheteur (nom de la cantine ou du groupement dans PIAL)"),
    ("delivery_sites", "Sites de livraison"),
    ("delivery_weekdays", "Jours de livraison (1 = lundi … 7 = dimanche, ex. 1,4)"),
    ("years", "Durée (années)"),
    ("start_date", "Début (jj/mm/aaaa)"),
    ("confidence", "Confiance demandée (90, 95 ou 99 %)"),
)
MAX_LINES = 200


def _header(sheet: Any, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def _row(sheet: Any, row: int, values: Sequence[Any], formats: Sequence[str | None]) -> None:
    for column, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        if number_format:
            cell.number_format = number_format


def _unit(product: Product) -> str:
    return UNIT_LABELS.get(product.unit.value, product.unit.value)


# --- The forecast and the plan -------------------------------------------------------------------


def forecast_workbook(forecast: SeasonForecast, stream: IO[bytes]) -> None:
    """Write a season's forecast: per product, the season's total and its months."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Prévision"
    sheet.cell(row=1, column=1, value=f"Prévision de la saison {forecast.window.code}"
               ).font = TITLE_FONT
    month_names = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                   "oct.", "nov.", "déc.")
    titles = ["Produit", "Unité", "Total attendu", "Valeur (€)", "Semaine la plus forte",
              *[month_names[m - 1] for m in forecast.months]]
    _header(sheet, 3, titles)
    for row, item in enumerate(forecast.products, start=4):
        _row(sheet, row, [item.product.name_fr, _unit(item.product), item.season_total,
                          item.season_value_eur, item.peak_week, *item.by_month],
             [None, None, QUANTITY_FORMAT, MONEY_FORMAT, QUANTITY_FORMAT,
              *[QUANTITY_FORMAT] * len(item.by_month)])
    if forecast.backtest is not None:
        check = book.create_sheet("Contrôle")
        report = forecast.backtest
        _header(check, 1, ["Erreur (WAPE) sur la saison " + (forecast.backtest_season or ""),
                           "par cantine, produit et semaine", "par produit et semaine"])
        for row, (label, cell, total) in enumerate((
                ("Modèle", report.wape_model, report.wape_model_product_week),
                ("Même semaine l'an passé", report.wape_same_week_last_year,
                 report.wape_same_week_last_year_product_week),
                ("Moyenne des 4 semaines précédentes", report.wape_last_four_weeks,
                 report.wape_last_four_weeks_product_week)), start=2):
            _row(check, row, [label, cell, total], [None, PERCENT_FORMAT, PERCENT_FORMAT])
    finish_workbook(book, f"Prévision de la saison {forecast.window.code}")
    book.save(stream)


def plan_workbook(plan: SeasonPlan, view: PlanView, lines: Sequence[Any],
                  stream: IO[bytes]) -> None:
    """Write a season plan: every planned week, the farms' shares and the products' cover."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.cell(row=1, column=1, value=f"Plan de culture de la saison {view.window.code} "
               f"(n°{plan.sequence})").font = TITLE_FONT
    _header(sheet, 3, ["Ferme", "Produit", "Unité", "Semaine", "Lundi", "Volume planifié"])
    for row, line in enumerate(lines, start=4):
        year, week, _day = line.monday_date.isocalendar()
        _row(sheet, row, [line.farm.name, line.product.name_fr, _unit(line.product),
                          f"{year}-W{week:02d}", line.monday_date, line.quantity],
             [None, None, None, None, DATE_FORMAT, QUANTITY_FORMAT])
    farms = book.create_sheet("Par ferme")
    _header(farms, 1, ["Ferme", "Valeur planifiée (€)", "Part planifiée", "Part convenue",
                       "Valeur convenue (€)", "Avance proposée (€)", "Déjà accordée (€)"])
    for row, farm in enumerate(view.farms, start=2):
        _row(farms, row, [farm.farm.name, farm.planned_eur, farm.share, farm.target_share,
                          farm.target_eur, farm.proposed_advance_eur, farm.granted_eur],
             [None, MONEY_FORMAT, PERCENT_FORMAT, PERCENT_FORMAT, MONEY_FORMAT, MONEY_FORMAT,
              MONEY_FORMAT])
    covers = book.create_sheet("Couverture")
    _header(covers, 1, ["Produit", "Unité", "Demande attendue", "Planifié", "Fermes",
                        "Semaines couvertes (scénarios)", "Manque au niveau de service"])
    for row, item in enumerate(view.products, start=2):
        _row(covers, row, [item.product.name_fr, _unit(item.product), item.demand, item.planned,
                           item.growers, item.met_share, item.gap],
             [None, None, QUANTITY_FORMAT, QUANTITY_FORMAT, None, PERCENT_FORMAT,
              QUANTITY_FORMAT])
    finish_workbook(book, f"Plan de culture de la saison {view.window.code}")
    book.save(stream)


# --- A tender lot's answer -----------------------------------------------------------------------


def answer_workbook(lot: TenderLot, buyer: str, days: str, members: Sequence[Any],
                    stream: IO[bytes]) -> None:
    """Write the answer to a lot, to attach to the joint bid."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Réponse"
    sheet.cell(row=1, column=1, value=f"Réponse au {lot.lot_label or 'lot'} : {lot.title}"
               ).font = TITLE_FONT
    lead = lot.lead_farm.name if lot.lead_farm else (members[0].farm.name if members else "—")
    facts = (
        ("Consultation", lot.tender_reference or "—"),
        ("Acheteur", buyer),
        ("Sites de livraison", lot.delivery_sites or "—"),
        ("Jours de livraison", days),
        ("Durée", f"{lot.years} an(s) à partir du {lot.start_date:%d/%m/%Y}"),
        ("Groupement", "Groupement conjoint de producteurs, mandataire : " + lead),
        ("Engagement", f"Volumes annuels garantis à {float(lot.confidence) * 100:.0f} % de "
                       "confiance (chaque année du marché)"),
        ("Établi le", today_in_paris().strftime("%d/%m/%Y")),
    )
    for row, (label, value) in enumerate(facts, start=3):
        sheet.cell(row=row, column=1, value=label).font = HEADER_FONT
        set_text(sheet.cell(row=row, column=2), value)

    prices = book.create_sheet("Bordereau de prix")
    _header(prices, 1, ["Produit", "Unité", "Volume annuel estimé", "Volume annuel engagé",
                        "Coût de production (€/u)", "Marge (€/u)",
                        "Frais d'intermédiation (€/u)", "Prix unitaire HT (€/u)",
                        "Montant annuel HT (€)"])
    total = Decimal(0)
    row = 1
    for row, line in enumerate(lot.lines, start=2):
        amount = line_value_eur(line.committed_quantity or Decimal(0), line.price_eur)
        total += amount
        _row(prices, row, [line.product.name_fr, _unit(line.product), line.yearly_estimate,
                           line.committed_quantity, line.production_cost_eur, line.margin_eur,
                           line.intermediation_fee_eur, line.price_eur, amount],
             [None, None, QUANTITY_FORMAT, QUANTITY_FORMAT, MONEY_FORMAT, MONEY_FORMAT,
              MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT])
    prices.cell(row=row + 1, column=1, value="Total annuel").font = HEADER_FONT
    _row(prices, row + 1, ["Total annuel", *[None] * 7, total], [None] * 8 + [MONEY_FORMAT])

    risks = book.create_sheet("Engagements")
    _header(risks, 1, ["Produit", "Volume possible à 90 %", "à 95 %", "à 99 %",
                       "Volume engagé", "Livrable attendu", "Manque attendu par an",
                       "Probabilité d'un manque"])
    for row, line in enumerate(lot.lines, start=2):
        _row(risks, row, [line.product.name_fr, line.volume_90, line.volume_95, line.volume_99,
                          line.committed_quantity, line.expected_deliverable,
                          line.expected_shortfall, line.shortfall_probability],
             [None, *[QUANTITY_FORMAT] * 6, PERCENT_FORMAT])

    team = book.create_sheet("Membres")
    _header(team, 1, ["Ferme", "Rôle", "SIRET", "Certification bio", "Valeur annuelle (€)",
                      "Part de la valeur", "Produits"])
    today = today_in_paris()
    for row, member in enumerate(members, start=2):
        role = "Mandataire" if member.farm.name == lead else "Cotraitant"
        organic = [f"{c.body} {c.number}".strip() for c in member.farm.certificates
                   if c.label == "BIO" and c.covers(today)]
        _row(team, row, [member.farm.name, role, member.farm.siret or "—",
                         ", ".join(organic) or "—", member.value_eur, member.share,
                         member.lines],
             [None, None, None, None, MONEY_FORMAT, PERCENT_FORMAT, None])

    split = book.create_sheet("Répartition")
    _header(split, 1, ["Produit", "Ferme", "Part du volume", "Volume annuel", "Valeur annuelle (€)",
                       "Manque propre attendu", "Couvre pour les autres (attendu)"])
    row = 1
    for line in lot.lines:
        for share in line.shares:
            row += 1
            _row(split, row, [line.product.name_fr, share.farm.name, share.volume_share,
                              share.quantity, line_value_eur(share.quantity, line.price_eur),
                              share.own_shortfall,
                              share.covers_for_others],
                 [None, None, PERCENT_FORMAT, QUANTITY_FORMAT, MONEY_FORMAT, QUANTITY_FORMAT,
                  QUANTITY_FORMAT])
    finish_workbook(book, f"Réponse au {lot.lot_label or 'lot'} : {lot.title}")
    book.save(stream)


# --- The lot template and its reading ------------------------------------------------------------


def lot_template(products: Sequence[Product], stream: IO[bytes]) -> None:
    """Write the template a lead fills in to import a lot."""
    book = Workbook()
    sheet = book.active
    sheet.title = LOT_SHEET
    sheet.cell(row=1, column=1, value="Lot d'appel d'offres — modèle PIAL").font = TITLE_FONT
    for row, (_name, label) in enumerate(LOT_FIELDS, start=3):
        sheet.cell(row=row, column=1, value=label).font = HEADER_FONT
    sheet.cell(row=3 + [n for n, _ in LOT_FIELDS].index("delivery_weekdays"), column=2,
               value="1,4")
    sheet.cell(row=3 + [n for n, _ in LOT_FIELDS].index("years"), column=2, value=1)
    sheet.cell(row=3 + [n for n, _ in LOT_FIELDS].index("confidence"), column=2, value=95)
    lines = book.create_sheet(PRODUCTS_SHEET)
    _header(lines, 1, ["Produit", "Volume annuel estimé", "Unité (pour mémoire)"])
    catalogue = book.create_sheet(CATALOGUE_SHEET)
    _header(catalogue, 1, ["Produit", "Unité"])
    for row, product in enumerate(products, start=2):
        _row(catalogue, row, [product.name_fr, _unit(product)], [None, None])
    # A form to fill in: its columns are sized for what people will type, not for its content.
    for template_sheet, widths in ((sheet, (58, 60)), (lines, (32, 22, 20)),
                                   (catalogue, (32, 10))):
        for column, width in enumerate(widths, start=1):
            template_sheet.column_dimensions[get_column_letter(column)].width = width
        set_print_layout(template_sheet, "1:1", title="Lot d'appel d'offres — modèle PIAL")
    book.save(stream)


@dataclass(slots=True)
class ParsedLot:
    """A lot read from the template, not yet saved."""

    values: dict[str, Any]
    lines: list[tuple[Product, Decimal]] = field(default_factory=list)


def _key(text: str) -> str:
    """Fold case, accents and spaces, so that « Pomme de Terre » finds « Pomme de terre »."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%")
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    return None


def read_lot(
    content: bytes,
    products: Sequence[Product],
    canteens: Sequence[Canteen],
    groups: Sequence[CanteenGroup],
) -> ParsedLot:
    """Read a filled template; raise UploadRefused naming every problem by sheet and row."""
    check_container(content, UploadLimits())
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl and defusedxml raise many unrelated types
        raise UploadRefused([SheetProblem(_(
            "le classeur est illisible ou endommagé : enregistrez-le à nouveau au format "
            ".xlsx depuis votre tableur."))]) from None
    try:
        return _read(book, products, canteens, groups)
    finally:
        book.close()


def _cell_problem(value: Any, sheet: str, row: int) -> SheetProblem | None:
    if isinstance(value, str) and value.startswith("="):
        return SheetProblem(_("une formule n'est pas acceptée : saisissez la valeur."), sheet,
                            row)
    return None


def _read(
    book: Any,
    products: Sequence[Product],
    canteens: Sequence[Canteen],
    groups: Sequence[CanteenGroup],
) -> ParsedLot:
    if LOT_SHEET not in book.sheetnames or PRODUCTS_SHEET not in book.sheetnames:
        raise UploadRefused([SheetProblem(_(
            "ce classeur ne vient pas du modèle de lot PIAL (feuilles « Lot » et « Produits » "
            "attendues) : téléchargez le modèle et remplissez-le."))])
    problems: list[SheetProblem] = []
    labels = {_key(label): name for name, label in LOT_FIELDS}
    raw: dict[str, tuple[Any, int]] = {}
    for row, cells in enumerate(book[LOT_SHEET].iter_rows(min_row=1, max_row=40, max_col=2,
                                                          values_only=True), start=1):
        label, value = (*cells, None, None)[:2]
        if isinstance(label, str) and _key(label) in labels:
            problem = _cell_problem(value, LOT_SHEET, row)
            if problem:
                problems.append(problem)
            raw[labels[_key(label)]] = (value, row)
    values: dict[str, Any] = {}

    def text(name: str, required: bool = False, limit: int = 300) -> str | None:
        value, row = raw.get(name, (None, 0))
        result = str(value).strip() if value is not None else ""
        if required and not result:
            problems.append(SheetProblem(_("« %(label)s » est à remplir.",
                                           label=dict(LOT_FIELDS)[name]), LOT_SHEET, row or None))
        return result[:limit] or None

    values["title"] = text("title", required=True)
    values["tender_reference"] = text("tender_reference", limit=100)
    values["lot_label"] = text("lot_label", limit=100)
    values["delivery_sites"] = text("delivery_sites", limit=4000)
    buyer = text("buyer", required=True)
    if buyer:
        by_name = {_key(c.name): ("canteen", c.id) for c in canteens} | {
            _key(g.name): ("group", g.id) for g in groups}
        found = by_name.get(_key(buyer))
        if found is None:
            close = difflib.get_close_matches(_key(buyer), list(by_name), n=1)
            names = {_key(c.name): c.name for c in canteens} | {_key(g.name): g.name
                                                                 for g in groups}
            hint = _(" (vouliez-vous dire « %(name)s » ?)", name=names[close[0]]) if close \
                else ""
            problems.append(SheetProblem(
                _("acheteur « %(buyer)s » inconnu : écrivez le nom d'une cantine ou d'un "
                  "groupement de PIAL%(hint)s.", buyer=buyer, hint=hint),
                LOT_SHEET, raw["buyer"][1]))
        else:
            values["canteen_id"] = found[1] if found[0] == "canteen" else None
            values["canteen_group_id"] = found[1] if found[0] == "group" else None
    days = text("delivery_weekdays") or "1,4"
    values["delivery_weekdays"] = days.replace(" ", "").replace(";", ",")
    years_value, years_row = raw.get("years", (1, 0))
    years = _decimal(years_value)
    if years is None or years != years.to_integral_value() or not 1 <= years <= 10:
        problems.append(SheetProblem(_("la durée est un nombre entier d'années, de 1 à 10."),
                                     LOT_SHEET, years_row or None))
    else:
        values["years"] = int(years)
    start_value, start_row = raw.get("start_date", (None, 0))
    start = _date(start_value)
    if start is None:
        problems.append(SheetProblem(_("le début est une date (jj/mm/aaaa)."), LOT_SHEET,
                                     start_row or None))
    values["start_date"] = start
    confidence_value, confidence_row = raw.get("confidence", (95, 0))
    confidence = _decimal(confidence_value)
    if confidence is not None and confidence > 1:
        confidence /= 100
    if confidence not in (Decimal("0.9"), Decimal("0.95"), Decimal("0.99")):
        problems.append(SheetProblem(_("la confiance est 90, 95 ou 99 %."), LOT_SHEET,
                                     confidence_row or None))
    else:
        values["confidence"] = confidence.quantize(Decimal("0.01")) if confidence else None
    parsed = ParsedLot(values)
    catalogue = {_key(p.name_fr): p for p in products} | {_key(p.slug): p for p in products}
    seen: set[int] = set()
    for row, cells in enumerate(book[PRODUCTS_SHEET].iter_rows(min_row=2, max_row=MAX_LINES + 1,
                                                               max_col=2, values_only=True),
                                start=2):
        name, quantity = (*cells, None, None)[:2]
        if name is None and quantity is None:
            continue
        for value in (name, quantity):
            problem = _cell_problem(value, PRODUCTS_SHEET, row)
            if problem:
                problems.append(problem)
        product = catalogue.get(_key(str(name))) if name is not None else None
        if product is None:
            close = difflib.get_close_matches(_key(str(name or "")),
                                              [_key(p.name_fr) for p in products], n=1)
            hint = _(" (vouliez-vous dire « %(name)s » ?)",
                     name=catalogue[close[0]].name_fr) if close else ""
            problems.append(SheetProblem(_("produit « %(name)s » inconnu du catalogue%(hint)s.",
                                           name=name or "", hint=hint), PRODUCTS_SHEET, row))
            continue
        estimate = _decimal(quantity)
        if estimate is None or estimate <= 0:
            problems.append(SheetProblem(_("le volume annuel estimé est un nombre supérieur à "
                                           "0."), PRODUCTS_SHEET, row))
            continue
        if product.id in seen:
            problems.append(SheetProblem(_("« %(name)s » est déjà sur une ligne plus haut.",
                                           name=product.name_fr), PRODUCTS_SHEET, row))
            continue
        seen.add(product.id)
        parsed.lines.append((product, estimate.quantize(Decimal("0.001"))))
    if not parsed.lines and not problems:
        problems.append(SheetProblem(_("aucun produit : remplissez la feuille « Produits »."),
                                     PRODUCTS_SHEET))
    if problems:
        raise UploadRefused(problems)
    return parsed
