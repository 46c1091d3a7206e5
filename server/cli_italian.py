"""Italian for click's own words: usage lines, help headings, errors about options and arguments.

click marks them for gettext but ships no catalogue; its modules call the `_` and `ngettext` they
imported from gettext, which `install` replaces, in those modules only, with lookups in the tables
below. A message missing here (a later click) stays in English. Installed before the commands are
defined, since their help options take their text when they are made.
"""
from __future__ import annotations

from click import core, decorators, exceptions, formatting, parser, termui, types

MESSAGES = {
    "Usage:": "Uso:",
    "Options": "Opzioni",
    "Commands": "Comandi",
    "Show this message and exit.": "Mostra questo aiuto ed esce.",
    "Show the version and exit.": "Mostra la versione ed esce.",
    "%(prog)s, version %(version)s": "%(prog)s, versione %(version)s",
    "Error: {message}": "Errore: {message}",
    "Try '{command} {option}' for help.": "Per l'aiuto: '{command} {option}'.",
    "Invalid value for {param_hint}: {message}": "Valore non valido per {param_hint}: {message}",
    "Invalid value: {message}": "Valore non valido: {message}",
    "Missing argument": "Manca l'argomento",
    "Missing option": "Manca l'opzione",
    "Missing parameter": "Manca il parametro",
    "Missing {param_type}": "Manca: {param_type}",
    "Missing parameter: {param_name}": "Manca il parametro: {param_name}",
    "Missing command.": "Manca il comando.",
    "No such command {name!r}.": "Comando inesistente: {name!r}.",
    "No such option: {name}": "Opzione inesistente: {name}.",
    "Option {name!r} does not take a value.": "L'opzione {name!r} non accetta un valore.",
    "Argument {name!r} takes {nargs} values.": "L'argomento {name!r} richiede {nargs} valori.",
    "Aborted!": "Interrotto.",
    "default: {default}": "predefinito: {default}",
    "env var: {var}": "variabile d'ambiente: {var}",
    "required": "obbligatorio",
    "(dynamic)": "(dinamico)",
    "Value must be an iterable.": "Il valore deve essere una sequenza.",
    "Could not open file {filename!r}: {message}": "Impossibile aprire il file {filename!r}: {message}",
    "unknown error": "errore sconosciuto",
    "Choose from:\n\t{choices}": "Scegliere tra:\n\t{choices}",
    "directory": "cartella",
    "file": "file",
    "path": "percorso",
    "{name} {filename!r} does not exist.": "{name} {filename!r} inesistente.",
    "{name} {filename!r} is a directory.": "{name} {filename!r}: è una cartella.",
    "{name} {filename!r} is a file.": "{name} {filename!r}: è un file.",
    "{name} {filename!r} is not readable.": "{name} {filename!r}: lettura non permessa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r}: scrittura non permessa.",
    "{name} {filename!r} is not executable.": "{name} {filename!r}: esecuzione non permessa.",
    "{value!r} is not a valid UUID.": "{value!r} non è un UUID valido.",
    "{value!r} is not a valid {number_type}.": "{value!r} non è un numero valido.",
    "{value} is not in the range {range}.": "{value} non è nell'intervallo {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} non è un valore sì/no valido. Valori riconosciuti: {states}",
    "Repeat for confirmation": "Ripetere per conferma",
    "Error: The two entered values do not match.": "Errore: i due valori inseriti non coincidono.",
    "Error: The value you entered was invalid.": "Errore: il valore inserito non è valido.",
    "Error: invalid input": "Errore: valore non valido",
    "Error: {e.message}": "Errore: {e.message}",
    "Press any key to continue...": "Premere un tasto per continuare...",
}
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argomento in più non previsto ({args})", "Argomenti in più non previsti ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("L'opzione {name!r} richiede un argomento.", "L'opzione {name!r} richiede {nargs} argomenti."),
    ("Did you mean {possibility}?", "(Possible options: {possibilities})"):
        ("Forse si intendeva {possibility}?", "(Opzioni possibili: {possibilities})"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} non è {choice}.", "{value!r} non è tra {choices}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Richiede {nargs} valori, ne è stato dato 1.", "Richiede {nargs} valori, ne sono stati dati {len}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("Sono richiesti {len_type} valori, ne è stato dato {len_value}.",
         "Sono richiesti {len_type} valori, ne sono stati dati {len_value}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} non corrisponde al formato {format}.", "{value!r} non corrisponde ai formati {formats}."),
}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def install() -> None:
    for module in (core, decorators, exceptions, formatting, parser, termui, types):
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
