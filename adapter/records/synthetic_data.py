"""Synthetic Massachusetts data for generated exports: places, names, CBOs, vendors.

Everything here is invented except public geography (counties, cities, ZIP codes, area codes);
phone numbers use the fictional 555-01xx range and e-mail the reserved example domains.
"""

from __future__ import annotations

# County -> [(city, ZIP code, area code)], and a population weight for drawing members.
PLACES: dict[str, list[tuple[str, str, str]]] = {
    "Suffolk": [
        ("Boston", "02119", "617"),
        ("Boston", "02124", "617"),
        ("Chelsea", "02150", "617"),
        ("Revere", "02151", "781"),
        ("Winthrop", "02152", "617"),
    ],
    "Middlesex": [
        ("Lowell", "01852", "978"),
        ("Cambridge", "02139", "617"),
        ("Somerville", "02143", "617"),
        ("Framingham", "01702", "508"),
        ("Malden", "02148", "781"),
        ("Waltham", "02453", "781"),
    ],
    "Worcester": [
        ("Worcester", "01604", "508"),
        ("Worcester", "01610", "508"),
        ("Fitchburg", "01420", "978"),
        ("Leominster", "01453", "978"),
        ("Southbridge", "01550", "508"),
    ],
    "Essex": [
        ("Lynn", "01902", "781"),
        ("Lawrence", "01841", "978"),
        ("Salem", "01970", "978"),
        ("Haverhill", "01830", "978"),
        ("Peabody", "01960", "978"),
    ],
    "Hampden": [
        ("Springfield", "01109", "413"),
        ("Holyoke", "01040", "413"),
        ("Chicopee", "01013", "413"),
        ("Westfield", "01085", "413"),
    ],
    "Norfolk": [
        ("Quincy", "02169", "617"),
        ("Brookline", "02446", "617"),
        ("Dedham", "02026", "781"),
        ("Randolph", "02368", "781"),
    ],
    "Bristol": [
        ("New Bedford", "02740", "508"),
        ("Fall River", "02720", "508"),
        ("Taunton", "02780", "508"),
        ("Attleboro", "02703", "508"),
    ],
    "Plymouth": [
        ("Brockton", "02301", "508"),
        ("Plymouth", "02360", "508"),
        ("Wareham", "02571", "508"),
    ],
    "Hampshire": [
        ("Northampton", "01060", "413"),
        ("Amherst", "01002", "413"),
        ("Easthampton", "01027", "413"),
    ],
    "Barnstable": [
        ("Hyannis", "02601", "508"),
        ("Falmouth", "02540", "508"),
        ("Orleans", "02653", "508"),
    ],
    "Berkshire": [
        ("Pittsfield", "01201", "413"),
        ("North Adams", "01247", "413"),
        ("Great Barrington", "01230", "413"),
    ],
    "Franklin": [("Greenfield", "01301", "413"), ("Orange", "01364", "978")],
    "Dukes": [("Vineyard Haven", "02568", "508"), ("Edgartown", "02539", "508")],
    "Nantucket": [("Nantucket", "02554", "508")],
}
COUNTY_WEIGHTS: dict[str, int] = {
    "Suffolk": 16,
    "Middlesex": 20,
    "Worcester": 12,
    "Essex": 11,
    "Hampden": 10,
    "Norfolk": 8,
    "Bristol": 9,
    "Plymouth": 6,
    "Hampshire": 3,
    "Barnstable": 3,
    "Berkshire": 3,
    "Franklin": 2,
    "Dukes": 1,
    "Nantucket": 1,
}

STREETS = [
    "Elm St",
    "Main St",
    "Pleasant St",
    "Washington St",
    "Maple Ave",
    "Chestnut St",
    "Highland Ave",
    "Union St",
    "Summer St",
    "Water St",
    "Park Ave",
    "Prospect St",
    "Central St",
    "School St",
    "Mill St",
    "Cedar St",
    "Franklin St",
    "Dorchester Ave",
    "Belmont St",
    "State St",
]

# Language (BCP-47) -> (share of members, women's given names, men's given names, family names).
NAME_POOLS: dict[str, tuple[int, list[str], list[str], list[str]]] = {
    "en": (
        52,
        "Linda Patricia Donna Kathleen Keisha Erin Tamika Colleen Shauna Brenda".split(),
        "James Michael Kevin Brian Tyrone Sean Darnell Ryan Marcus Dennis".split(),
        "Sullivan Murphy Johnson Williams Brown O'Brien Walsh Jackson Robinson Kelly Harris "
        "McCarthy Thompson Lewis Coleman".split(),
    ),
    "es": (
        18,
        "María Carmen Yolanda Migdalia Luz Nilda Marisol Gladys".split(),
        "José Luis Ángel Rafael Héctor Wilfredo Edwin Julio".split(),
        "Rodríguez Rivera Santiago Ortiz Cruz Pérez Díaz Colón Martínez Torres Vázquez".split(),
    ),
    "pt": (
        7,
        "Fernanda Ana Rosa Conceição Fátima Lúcia".split(),
        "João Paulo Manuel Sérgio António Carlos".split(),
        "Santos Silva Medeiros Pereira Costa Furtado Sousa".split(),
    ),
    "ht": (
        6,
        "Marie Rose Mirlande Nadège Guerline Fabienne".split(),
        "Jean Pierre Jacques Wesner Frantz Reginald".split(),
        "Jean-Baptiste Pierre Joseph Charles Desir Louis Etienne".split(),
    ),
    "vi": (
        5,
        "Lan Hoa Thu Mai Hanh".split(),
        "Minh Tuan Duc Quang Hung".split(),
        "Nguyen Tran Le Pham Hoang Vo".split(),
    ),
    "zh": (
        4,
        "Mei Ling Xiu Hong Yan".split(),
        "Wei Jian Hao Ming Bo".split(),
        "Chen Wong Li Huang Zhang Lee".split(),
    ),
    "km": (
        3,
        "Sophea Chanthy Sreymom Bopha".split(),
        "Sokha Dara Vannak Rithy".split(),
        "Sok Chea Keo Pich Meas".split(),
    ),
    "ar": (
        2,
        "Layla Rania Amira Nadia".split(),
        "Omar Youssef Khalid Samir".split(),
        "Haddad Khoury Nasser Saleh Mansour".split(),
    ),
    "ru": (
        2,
        "Olga Svetlana Irina Natalia".split(),
        "Dmitri Igor Sergei Andrei".split(),
        "Ivanov Petrov Sokolov Kuznetsov Volkov".split(),
    ),
    "ase": (
        1,
        "Taylor Casey Megan Jordan".split(),
        "Jordan Casey Tyler Evan".split(),
        "Bishop Lowry Nash Carver".split(),
    ),
}

PLAN = {
    "plan_id": "CCA-OC",
    "name": "Commonwealth Care Alliance One Care",
    "phone": "866-555-0120",
    "address": {
        "line": ["30 Winter St"],
        "city": "Boston",
        "county": "Suffolk",
        "state": "MA",
        "postal_code": "02108",
    },
}

# (cbo_id, name, type, service area, city, contract start, contract end, LTS-C count)
CBOS: list[tuple[str, str, str, list[str], str, str, str | None, int]] = [
    (
        "MBIL",
        "Metro Boston Independent Living Center",
        "ILC",
        ["Suffolk", "Norfolk"],
        "Boston",
        "2014-01-01",
        None,
        4,
    ),
    (
        "NSIL",
        "North Shore Independent Living Network",
        "ILC",
        ["Essex", "Middlesex"],
        "Salem",
        "2014-01-01",
        None,
        3,
    ),
    (
        "PVIC",
        "Pioneer Valley Independence Center",
        "ILC",
        ["Hampden", "Hampshire", "Franklin"],
        "Springfield",
        "2015-07-01",
        None,
        3,
    ),
    (
        "CMIL",
        "Central Mass Center for Living Independently",
        "ILC",
        ["Worcester"],
        "Worcester",
        "2014-01-01",
        None,
        3,
    ),
    (
        "SCIL",
        "South Coast Independent Living",
        "ILC",
        ["Bristol", "Plymouth"],
        "New Bedford",
        "2018-01-01",
        None,
        2,
    ),
    (
        "MRLC",
        "Metro Recovery Learning Community",
        "RLC",
        ["Suffolk", "Middlesex", "Norfolk"],
        "Boston",
        "2016-01-01",
        None,
        3,
    ),
    (
        "WRLC",
        "Western Mass Recovery Learning Community",
        "RLC",
        ["Hampden", "Hampshire", "Franklin", "Berkshire"],
        "Holyoke",
        "2016-01-01",
        None,
        3,
    ),
    (
        "SRLC",
        "Southeast Recovery Learning Community",
        "RLC",
        ["Bristol", "Plymouth", "Barnstable"],
        "Brockton",
        "2017-04-01",
        None,
        2,
    ),
    (
        "CIAS",
        "Cape and Islands Access Services",
        "ASAP",
        ["Barnstable", "Dukes", "Nantucket"],
        "Hyannis",
        "2014-01-01",
        None,
        2,
    ),
    (
        "BKAS",
        "Berkshire Home Access Services",
        "ASAP",
        ["Berkshire"],
        "Pittsfield",
        "2019-01-01",
        None,
        2,
    ),
    (
        "MVDA",
        "Merrimack Valley Disability Advocates",
        "other",
        ["Essex", "Middlesex", "Worcester"],
        "Lawrence",
        "2019-01-01",
        None,
        2,
    ),
    (
        "SSCA",
        "South Shore Community Access",
        "other",
        ["Norfolk", "Plymouth", "Bristol"],
        "Quincy",
        "2018-01-01",
        "2026-06-30",
        2,
    ),
]

CARE_COORDINATOR_COUNT = 8
SCHEDULES = ["Mon-Fri 9-5", "Mon-Thu 8:30-4:30", "Tue-Fri 8-4", "Mon-Fri 10-6", "Mon-Wed 9-5"]

# (vendor_id, name, city) — home care, day health, equipment, rides, meals, peer support.
VENDORS: list[tuple[str, str, str]] = [
    ("V-HOMECARE-1", "Greater Boston Home Care Partners", "Boston"),
    ("V-HOMECARE-2", "Pioneer Valley Home Health Aides", "Springfield"),
    ("V-HOMECARE-3", "Blackstone Valley Personal Care", "Worcester"),
    ("V-ADH-1", "Riverside Adult Day Health", "Lowell"),
    ("V-DME-1", "Bay State Mobility Supply", "Brockton"),
    ("V-TRANS-1", "Commonwealth Accessible Rides", "Boston"),
    ("V-MEALS-1", "Neighbors' Table Home-Delivered Meals", "Quincy"),
    ("V-MOD-1", "Accessible Homes Renovation Co-op", "Salem"),
]

GOAL_TEXTS: dict[str, list[str]] = {
    "independent-living": [
        "I want to keep living in my own apartment",
        "I want to cook my own meals again",
        "I want to manage my own personal care attendants",
    ],
    "recovery": [
        "I want to stay out of the hospital this year",
        "I want to go to a peer support group every week",
    ],
    "community": [
        "I want to get back to my church on Sundays",
        "I want to volunteer at the library",
        "I want to visit my grandchildren",
    ],
    "cultural-identity": [
        "I want a care team that speaks my language",
        "I want to cook traditional food for holidays with my family",
    ],
    "health": ["I want to keep my blood sugar in range", "I want to walk to the corner store"],
    "employment": ["I want a part-time job", "I want to finish my GED"],
}

# Service type -> (unit, per, usual quantities, vendor ids that fill it).
SERVICES: dict[str, tuple[str, str, list[float], list[str]]] = {
    "personal-care": ("h", "wk", [6, 10, 14, 20], ["V-HOMECARE-1", "V-HOMECARE-2", "V-HOMECARE-3"]),
    "homemaker": ("h", "wk", [2, 4, 6], ["V-HOMECARE-1", "V-HOMECARE-3"]),
    "adult-day-health": ("d", "wk", [2, 3, 5], ["V-ADH-1"]),
    "durable-medical-equipment": ("item", None, [1], ["V-DME-1"]),
    "transportation": ("trip", "mo", [4, 8, 12], ["V-TRANS-1"]),
    "home-delivered-meals": ("meal", "wk", [5, 7, 10], ["V-MEALS-1"]),
    "home-modification": ("project", None, [1], ["V-MOD-1"]),
    "peer-support": ("h", "mo", [4, 8], []),
    "recovery-coaching": ("h", "mo", [4, 6], []),
}
