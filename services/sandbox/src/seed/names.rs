//! Word lists the generator draws from: Quebec construction flavoured, ASCII where a code is made.

pub(super) const CITIES: &[(&str, &str, &str)] = &[
    ("Montreal", "QC", "H2X"),
    ("Laval", "QC", "H7N"),
    ("Quebec", "QC", "G1R"),
    ("Gatineau", "QC", "J8X"),
    ("Sherbrooke", "QC", "J1H"),
    ("Trois-Rivieres", "QC", "G9A"),
    ("Longueuil", "QC", "J4K"),
    ("Levis", "QC", "G6V"),
    ("Saguenay", "QC", "G7H"),
    ("Ottawa", "ON", "K1P"),
];

pub(super) const STREETS: &[&str] = &[
    "rue Sainte-Catherine",
    "boulevard Saint-Laurent",
    "rue Sherbrooke",
    "chemin de la Cote-des-Neiges",
    "avenue du Parc",
    "boulevard Rene-Levesque",
    "rue Notre-Dame",
    "rue King",
    "boulevard des Laurentides",
    "rue Principale",
];

pub(super) const PROJECT_KINDS: &[&str] = &[
    "Ecole primaire",
    "Centre sportif",
    "Immeuble de bureaux",
    "Residence pour aines",
    "Entrepot logistique",
    "Caserne de pompiers",
    "Bibliotheque municipale",
    "Condominiums",
    "Clinique medicale",
    "Usine de traitement",
];

pub(super) const PROJECT_WORKS: &[&str] = &[
    "construction neuve",
    "agrandissement",
    "renovation majeure",
    "mise aux normes",
    "reamenagement",
];

pub(super) const SUPPLIER_TRADES: &[(&str, &str)] = &[
    ("Beton", "Beton"),
    ("Acier", "Acier structural"),
    ("Electr", "Electricite"),
    ("Plomb", "Plomberie"),
    ("Ventil", "Ventilation"),
    ("Toiture", "Toitures"),
    ("Excav", "Excavation"),
    ("Coffr", "Coffrage"),
    ("Vitre", "Vitrerie"),
    ("Peint", "Peinture"),
    ("Bois", "Materiaux de bois"),
    ("Loca", "Location d'equipement"),
];

pub(super) const FAMILY_NAMES: &[&str] = &[
    "Tremblay",
    "Gagnon",
    "Roy",
    "Cote",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagne",
    "Ouellet",
    "Pelletier",
    "Belanger",
    "Levesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Marie",
    "Jean",
    "Sophie",
    "Luc",
    "Isabelle",
    "Martin",
    "Julie",
    "Francois",
    "Nathalie",
    "Pierre",
    "Genevieve",
    "Alexandre",
    "Catherine",
    "Mathieu",
    "Chantal",
    "Simon",
];

pub(super) const COMPANY_SUFFIXES: &[&str] = &["inc.", "ltee", "et fils", "Construction", "Group"];

pub(super) const JOB_TITLES: &[&str] = &[
    "Charpentier-menuisier",
    "Journalier",
    "Operateur de machinerie",
    "Contremaitre",
    "Estimateur",
    "Surintendant",
    "Electricien",
];

/// Divisions of the activity template (MasterFormat-like), code and name.
pub(super) const DIVISIONS: &[(&str, &str)] = &[
    ("01", "Conditions generales"),
    ("02", "Conditions existantes"),
    ("03", "Beton"),
    ("04", "Maconnerie"),
    ("05", "Metaux"),
    ("06", "Bois et plastiques"),
    ("07", "Protection thermique"),
    ("08", "Ouvertures"),
    ("09", "Finitions"),
    ("22", "Plomberie"),
    ("23", "Ventilation"),
    ("26", "Electricite"),
];

pub(super) const SECTIONS: &[&str] = &["Travaux", "Materiaux", "Main-d'oeuvre", "Services"];

pub(super) const UNITS: &[&str] = &["ls", "m2", "m3", "h", "ea", "t"];
