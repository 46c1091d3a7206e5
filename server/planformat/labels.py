"""Official Italian labels of the `coprogramma/plan@1` fields and of their enumerated values.

Objective labels are the Regione Lombardia 2025-2027 model wording (spec column "regional model
label"); where the spec abbreviates with "..." the full wording of the regional template is used,
without the years (which change with every triennium). Enumerations are defined here once: the
schemas take their allowed values from the keys of these dicts, the UI and the exports their labels.
"""
from __future__ import annotations

PLAN_LABELS = {
    "key": "Codice del Piano",
    "ambito": "Ambito territoriale sociale",
    "title": "Titolo del Piano",
    "period": "Triennio",
    "lead_body": "Ente capofila",
    "managing_agency": "Azienda consortile / ente gestore",
    "municipalities": "Comuni dell'Ambito",
    "sub_areas": "Sub-ambiti",
}
MACRO_AREA_LABELS = {"code": "Codice", "name": "Macro-area di policy", "key_points": "Punti chiave"}
ORGANISATION_LABELS = {"key": "Codice", "name": "Denominazione", "kind": "Tipologia"}
TAVOLO_LABELS = {
    "key": "Codice", "name": "Nome del tavolo", "macro_areas": "Macro-aree",
    "mandate": "Mandato (finalità, attività, tempi, step di valutazione, risorse umane)",
    "members": "Organizzazioni partecipanti",
}
LEPS_LABELS = {"code": "Codice", "name": "Livello essenziale delle prestazioni sociali (LEPS)"}

# Identity of an objective inside its plan (not part of the regional card).
OBJECTIVE_REF_LABELS = {"ref": "Codice obiettivo", "macro_area": "Macro-area", "tavolo": "Tavolo tematico"}

# The objective card, in the order of the regional model.
OBJECTIVE_LABELS = {
    "title": "TITOLO INTERVENTO",
    "context": "Breve descrizione del contesto",
    "goals": "QUALI OBIETTIVI VUOLE RAGGIUNGERE",
    "actions": "AZIONI PROGRAMMATE",
    "target": "TARGET",
    "budget": "RISORSE ECONOMICHE PREVENTIVATE",
    "staff": "RISORSE DI PERSONALE DEDICATE",
    "cross_policy": "L'OBIETTIVO E' TRASVERSALE ED INTEGRATO CON ALTRE AREE DI POLICY?",
    "key_points": "INDICARE I PUNTI CHIAVE DELL'INTERVENTO",
    "asst_in_planning": "PREVEDE IL COINVOLGIMENTO DI ASST NELL'ANALISI DEL BISOGNO E NELLA PROGRAMMAZIONE?",
    "asst_in_delivery": "PREVEDE IL COINVOLGIMENTO DI ASST NELLA REALIZZAZIONE DELL'INTERVENTO "
                        "E AZIONI CONGIUNTE AMBITO-ASST?",
    "other_ambiti": "L'INTERVENTO È REALIZZATO IN COOPERAZIONE CON ALTRI AMBITI?",
    "continuity": "È IN CONTINUITÀ CON LA PROGRAMMAZIONE PRECEDENTE?",
    "service_novelty": "L'OBIETTIVO PREVEDE LA DEFINIZIONE DI UN NUOVO SERVIZIO?",
    "premial_project": "L'OBIETTIVO È IN CONTINUITÀ E/O RAPPRESENTA IL POTENZIAMENTO DI UN PROGETTO "
                       "PREMIALE DELLA PROGRAMMAZIONE PRECEDENTE?",
    "co_programmed": "L'INTERVENTO È FORMALMENTE CO-PROGRAMMATO CON IL TERZO SETTORE?",
    "co_designed": "L'INTERVENTO È FORMALMENTE CO-PROGETTATO CON IL TERZO SETTORE?",
    "third_sector_involvement": "NEL CASO IN CUI L'INTERVENTO NON PREVEDA PROCESSI DI CO-PROGETTAZIONE "
                                "E/O COPROGRAMMAZIONE FORMALIZZATI, SPECIFICARE LE MODALITA' DI "
                                "COINVOLGIMENTO DEL TERZO SETTORE",
    "other_actors": "L'INTERVENTO PREVEDE IL COINVOLGIMENTO DI ALTRI ATTORI DELLA RETE TERRITORIALE?",
    "needs": "QUESTO INTERVENTO A QUALE/I BISOGNO/I RISPONDE?",
    "need_kind": "BISOGNO CONSOLIDATO / NUOVO BISOGNO",
    "intervention_kind": "L'OBIETTIVO È DI TIPO PROMOZIONALE/PREVENTIVO O RIPARATIVO?",
    "innovative_models": "L'OBIETTIVO PRESENTA MODELLI INNOVATIVI DI PRESA IN CARICO, DI RISPOSTA AL "
                         "BISOGNO E COOPERAZIONE CON ALTRI ATTORI DELLA RETE?",
    "digitalisation": "L'OBIETTIVO PRESENTA DEGLI ASPETTI INERENTI ALLA DIGITALIZZAZIONE?",
    "delivery_modes": "QUALI MODALITÀ ORGANIZZATIVE, OPERATIVE E DI EROGAZIONE SONO ADOTTATE?",
    "expected_results": "QUALI RISULTATI VUOLE RAGGIUNGERE?",
    "expected_impact": "QUALE IMPATTO DOVREBBE AVERE L'INTERVENTO?",
    "indicators": "Indicatori di input / processo / output / outcome",
    "leps": "LEPS collegati",
    "pnrr": "MISURE PNRR CONNESSE",
    "bes": "BES di riferimento",
}

ANSWER_FIELD_LABELS = {"answer": "Risposta", "detail": "Dettaglio", "areas": "Aree di policy"}
BUDGET_LABELS = {"items": "Voci di spesa", "declared_total_eur": "Totale dichiarato (€)",
                 "label": "Voce", "amount_eur": "Importo (€)", "source": "Fonte"}
PNRR_LABELS = {"measure": "Misura PNRR", "amount_eur": "Importo (€)", "target": "Target",
               "partners": "Partner"}
INDICATOR_LABELS = {
    "key": "Codice", "kind": "Tipo di indicatore", "description": "Descrizione", "unit": "Unità di misura",
    "baseline": "Valore di partenza", "targets": "Valori attesi", "year": "Anno", "value": "Valore",
    "note": "Nota", "source": "Fonte del dato", "responsible": "Responsabile della rilevazione",
}

EVALUATION_LABELS = {
    "ref": "Obiettivo della programmazione precedente",
    "macro_area": "DIMENSIONE",
    "title": "Obiettivo",
    "outputs": "OUTPUT",
    "achievement": "GRADO DI RAGGIUNGIMENTO DELL'OBIETTIVO (azioni realizzate*100)/azioni programmate",
    "user_evaluation": "VALUTAZIONE DA PARTE DEGLI UTENTI",
    "resource_adequacy": "LIVELLO DI ADEGUATEZZA DELLE RISORSE UMANE E STRUMENTALI",
    "resource_adequacy_note": "Note sull'adeguatezza delle risorse",
    "spending_coincidence": "LIVELLO DI COINCIDENZA TRA RISORSE STANZIATE E IMPEGNATE/LIQUIDATE "
                            "(pagato*100)/preventivato",
    "issues": "CRITICITÀ RILEVATE",
    "positive_change": "HA RISPOSTO AD UN BISOGNO PRODUCENDO UN CAMBIAMENTO POSITIVO?",
    "continuity_with_previous": "ERA IN CONTINUITÀ CON LA PROGRAMMAZIONE PRECEDENTE?",
    "reproposed": "VERRÀ RIPROPOSTO NELLA PROSSIMA PROGRAMMAZIONE?",
    "reproposed_as": "Riproposto come",
}

# --- enumerated values -------------------------------------------------------------------------
ANSWER = {"yes": "Sì", "no": "No", "partly": "In parte"}
ORGANISATION_KIND = {
    "ets": "Ente del Terzo Settore (ETS)", "comune": "Comune", "azienda_consortile": "Azienda consortile",
    "asst": "ASST", "ats": "ATS", "provincia": "Provincia", "sindacato": "Sindacato",
    "scuola": "Scuola", "diocesi": "Diocesi", "altro": "Altro",
}
BUDGET_SOURCE = {"public": "Pubbliche", "private": "Private", "pnrr": "PNRR", "mixed": "Miste",
                 "unknown": "Non specificata"}
SERVICE_NOVELTY = {"existing": "Servizio già presente",
                   "revised": "Servizio sostanzialmente rivisto/aggiornato", "new": "Nuovo servizio"}
NEED_KIND = {"consolidated": "Bisogno consolidato", "new": "Nuovo bisogno",
             "both": "Bisogno consolidato e nuovo bisogno"}
INTERVENTION_KIND = {"promotional": "Promozionale", "preventive": "Preventivo", "remedial": "Riparativo"}
INDICATOR_KIND = {"input": "Input", "process": "Processo", "output": "Output", "outcome": "Outcome"}
INDICATOR_UNIT = {"count": "Numero", "percent": "Percentuale", "ratio": "Rapporto",
                  "presence": "Presenza/assenza", "duration": "Durata", "scale": "Scala di valutazione",
                  "text": "Descrittivo"}
ACHIEVEMENT_BAND = {"0": "0% (nullo)", "1-49": "1-49% (insufficiente)", "50-79": "50-79% (sufficiente)",
                    "80-99": "80-99% (buono)", "100": "100% (ottimo)"}
RESOURCE_ADEQUACY = {"gravely_inadequate": "Gravemente inadeguato", "inadequate": "Inadeguato",
                     "sufficiently_adequate": "Sufficientemente adeguato", "adequate": "Adeguato",
                     "perfectly_adequate": "Perfettamente adeguato"}
SPENDING_BAND = {"<100": "<100% (non realizzato come programmato o sovrastimato)",
                 "100": "100% (ottimo)", ">100": ">100% (sottostimato)"}
USER_EVALUATION = {"not_applicable": "Non pertinente"}

ENUM_LABELS = {
    "answer": ANSWER, "organisation_kind": ORGANISATION_KIND, "budget_source": BUDGET_SOURCE,
    "service_novelty": SERVICE_NOVELTY, "need_kind": NEED_KIND, "intervention_kind": INTERVENTION_KIND,
    "indicator_kind": INDICATOR_KIND, "indicator_unit": INDICATOR_UNIT,
    "achievement_band": ACHIEVEMENT_BAND, "resource_adequacy": RESOURCE_ADEQUACY,
    "spending_band": SPENDING_BAND, "user_evaluation": USER_EVALUATION,
}


def enum_label(enum: str, value: str | None) -> str | None:
    """Italian label of an enumerated value (the value itself when unknown, None for None)."""
    if value is None:
        return None
    return ENUM_LABELS[enum].get(value, value)
