//! Fixed word lists the synthetic world is drawn from: people, organisations, devices, texts.

/// (domain stem, display name) of well-known fictitious organisations.
pub const ORGS: &[(&str, &str)] = &[
    ("contoso", "Contoso"),
    ("fabrikam", "Fabrikam"),
    ("northwindtraders", "Northwind Traders"),
    ("adatum", "A. Datum Corporation"),
    ("litware", "Litware"),
    ("tailspintoys", "Tailspin Toys"),
    ("woodgrovebank", "Woodgrove Bank"),
    ("wingtiptoys", "Wingtip Toys"),
    ("proseware", "Proseware"),
    ("alpineskihouse", "Alpine Ski House"),
    ("blueyonderairlines", "Blue Yonder Airlines"),
    ("cohowinery", "Coho Winery"),
    ("humongousinsurance", "Humongous Insurance"),
    ("lucernepublishing", "Lucerne Publishing"),
    ("margiestravel", "Margie's Travel"),
    ("treyresearch", "Trey Research"),
    ("wideworldimporters", "Wide World Importers"),
    ("fourthcoffee", "Fourth Coffee"),
    ("relecloud", "Relecloud"),
    ("lamnahealthcare", "Lamna Healthcare"),
    ("consolidatedmessenger", "Consolidated Messenger"),
    ("graphicdesigninstitute", "Graphic Design Institute"),
    ("southridgevideo", "Southridge Video"),
    ("vanarsdel", "VanArsdel"),
    ("nodpublishers", "Nod Publishers"),
    ("bellowscollege", "Bellows College"),
    (
        "munsonspicklesandpreserves",
        "Munson's Pickles and Preserves",
    ),
    ("firstupconsultants", "First Up Consultants"),
    ("adventureworks", "Adventure Works"),
    ("cronusholding", "Cronus Holding"),
];

pub const ORG_SUFFIXES: &[(&str, &str)] = &[
    ("health", " Health"),
    ("labs", " Labs"),
    ("energy", " Energy"),
    ("retail", " Retail"),
    ("logistics", " Logistics"),
    ("finance", " Finance"),
    ("group", " Group"),
    ("pharma", " Pharma"),
];

pub const LEGAL_FORMS: &[&str] = &[
    " Ltd", " Inc.", " GmbH", " plc", " B.V.", " S.A.", " LLC", "",
];

/// (top-level domain, locale, phone prefix, city latitude/longitude in 1e-4 degrees).
pub const COUNTRIES: &[(&str, &str, &str, i32, i32)] = &[
    (".com", "en-US", "+1 425 555", 476_062, -1_223_321),
    (".ie", "en-IE", "+353 1 555", 533_498, -62_603),
    (".co.uk", "en-GB", "+44 20 7946", 515_072, -1_276),
    (".de", "de-DE", "+49 30 5550", 525_200, 134_050),
    (".fr", "fr-FR", "+33 1 5550", 488_566, 23_522),
    (".nl", "nl-NL", "+31 20 555", 523_676, 49_041),
    (".com", "en-US", "+1 212 555", 407_128, -740_060),
    (".eu", "en-GB", "+32 2 555", 508_503, 43_517),
];

pub const FIRST_NAMES: &[&str] = &[
    "Alice", "Amos", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
    "Karl", "Laura", "Mallory", "Niamh", "Oscar", "Peggy", "Quentin", "Rupert", "Sybil", "Trent",
    "Ursula", "Victor", "Wendy", "Xavier", "Yvonne", "Zoë", "Aoife", "Seán", "Søren", "José",
    "Chloé", "Jürgen", "Priya", "Wei", "Fatima", "Mateo", "Olga", "Kenji", "Amara", "Liam", "Emma",
    "Noah", "Mia", "Lucas", "Hannah", "Tomás", "Ingrid", "Ravi", "Mei", "Diego",
];

pub const LAST_NAMES: &[&str] = &[
    "Hawking",
    "Marble",
    "Smith",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Schmidt",
    "Müller",
    "Dubois",
    "Martin",
    "de Vries",
    "Jansen",
    "García",
    "Rossi",
    "Novak",
    "Kowalski",
    "Nguyen",
    "Tanaka",
    "Patel",
    "Okafor",
    "Johansson",
    "Andersen",
    "Byrne",
    "Walsh",
    "Fischer",
    "Weber",
    "Laurent",
    "Bakker",
    "Fernández",
    "Costa",
    "Ivanova",
    "Chen",
    "Sato",
    "Khan",
    "Mensah",
    "Larsen",
    "Brennan",
    "Doyle",
    "Hoffmann",
    "Lefebvre",
    "Visser",
    "Romero",
    "Bianchi",
    "Horvat",
    "Lee",
];

/// (OS name, OS versions, device models, app name, is mobile, path style).
pub struct Platform {
    pub os_name: &'static str,
    pub versions: &'static [&'static str],
    pub models: &'static [&'static str],
    pub app_name: &'static str,
    pub paths: PathStyle,
    pub device_word: &'static [&'static str],
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    Windows,
    Mac,
    Linux,
    Mobile,
}

pub const PLATFORMS: &[(u32, Platform)] = &[
    (
        46,
        Platform {
            os_name: "Windows",
            versions: &[
                "10.0.19041.1",
                "10.0.19045.4291",
                "10.0.22621.2861",
                "10.0.22631.3880",
            ],
            models: &[
                "Surface Laptop 5",
                "Latitude 7440",
                "ThinkPad T14 Gen 4",
                "EliteBook 840 G10",
            ],
            app_name: "TeamsPro",
            paths: PathStyle::Windows,
            device_word: &["Surface", "laptop", "PC"],
        },
    ),
    (
        14,
        Platform {
            os_name: "macOS",
            versions: &["13.6.7", "14.5", "14.6.1", "15.0"],
            models: &["MacBookPro18,3", "MacBookAir10,1", "Mac14,2"],
            app_name: "TeamsPro",
            paths: PathStyle::Mac,
            device_word: &["MacBook Pro", "MacBook Air"],
        },
    ),
    (
        3,
        Platform {
            os_name: "Linux",
            versions: &["6.5.0-35-generic", "6.8.0-40-generic"],
            models: &["Ubuntu 22.04", "Ubuntu 24.04"],
            app_name: "TeamsPro",
            paths: PathStyle::Linux,
            device_word: &["laptop"],
        },
    ),
    (
        24,
        Platform {
            os_name: "iPhoneiOS",
            versions: &["8.3", "16.7.8", "17.5.1", "17.6"],
            models: &["iPhone", "iPhone14,5", "iPhone15,2", "iPad13,1"],
            app_name: "TeamsPro Mobile",
            paths: PathStyle::Mobile,
            device_word: &["iPhone", "iPad"],
        },
    ),
    (
        13,
        Platform {
            os_name: "Android",
            versions: &["12", "13", "14"],
            models: &["Pixel 8", "SM-S911B", "SM-A546B"],
            app_name: "TeamsPro Mobile",
            paths: PathStyle::Mobile,
            device_word: &["Galaxy", "Pixel", "phone"],
        },
    ),
];

/// App versions and the day (from the window's start) each was released.
pub const VERSIONS: &[(&str, u64)] = &[
    ("2.0.4.1", 0),
    ("2.1.0.3", 20),
    ("2.1.1.0", 48),
    ("2.2.0.7", 77),
    ("2.3.0.12", 104),
];

pub const TEAM_NAMES: &[&str] = &[
    "Marketing",
    "Project Falcon",
    "Q3 Launch – EMEA",
    "Finance Team",
    "HR Onboarding 2026",
    "Sales – DACH",
    "Customer Success",
    "IT Helpdesk",
    "Board Prep FY27",
    "Office Move Dublin",
    "Product Council",
    "Legal Review",
    "Data Platform",
    "Brand Refresh",
    "Partner Enablement",
];

pub const TEMPLATE_NAMES: &[&str] = &[
    "Standard Project",
    "Department",
    "Event Planning",
    "Customer Engagement",
    "Onboarding",
    "Incident Response",
];

pub const TEAM_PREFIXES: &[&str] = &[
    "External – ",
    "Shared with ",
    "Guest access ",
    "Project with ",
];

pub const PASSWORDS: &[&str] = &[
    "Winter2026!",
    "P@ssw0rd1",
    "hunter2",
    "Sync-9f3kQ",
    "changeme",
];
