"""Curated word lists for values Faker has no provider for (product names and categories; review texts are in texts.py).

Kept as data so they do not change when Faker is upgraded: the same seed gives the same product names
and reviews on every Faker release.
"""

from __future__ import annotations

PRODUCT_NOUNS: dict[str, tuple[str, ...]] = {
    "electronics": ("Wireless Earbuds", "USB-C Charger", "Bluetooth Speaker", "Smart Watch", "4K Monitor",
                    "Mechanical Keyboard", "Noise-Cancelling Headphones", "Portable SSD", "Webcam", "Power Bank"),
    "books": ("Cookbook", "Mystery Novel", "Field Guide", "Travel Journal", "Poetry Collection",
              "History of Rome", "Programming Handbook", "Children's Atlas"),
    "clothing": ("Rain Jacket", "Wool Sweater", "Running Shorts", "Denim Jeans", "Linen Shirt", "Hiking Socks",
                 "Puffer Vest", "Cotton Hoodie"),
    "home": ("Cast Iron Skillet", "Throw Blanket", "Desk Lamp", "Coffee Grinder", "Ceramic Vase",
             "Bath Towel Set", "French Press", "Storage Basket"),
    "toys": ("Building Blocks", "Puzzle Set", "Plush Bear", "RC Car", "Board Game", "Kite", "Art Kit"),
    "sports": ("Yoga Mat", "Water Bottle", "Tennis Racket", "Cycling Helmet", "Dumbbell Set", "Trail Backpack"),
    "beauty": ("Face Serum", "Shampoo Bar", "Lip Balm", "Hand Cream", "Sunscreen SPF 50", "Hair Dryer"),
    "grocery": ("Olive Oil", "Ground Coffee", "Green Tea", "Dark Chocolate", "Maple Syrup", "Trail Mix"),
}
PRICE_BANDS: dict[str, tuple[float, float]] = {
    "electronics": (12.0, 1200.0), "books": (4.0, 60.0), "clothing": (8.0, 250.0), "home": (6.0, 400.0),
    "toys": (4.0, 150.0), "sports": (6.0, 450.0), "beauty": (3.0, 90.0), "grocery": (1.5, 40.0),
}
"""Typical unit prices by category, so a lip balm does not cost 900 and a monitor does not cost 0.99."""
PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Classic", "Compact", "Deluxe", "Eco", "Essential", "Lightweight", "Organic", "Premium", "Pro", "Rugged",
    "Slim", "Smart", "Ultra", "Vintage", "Everyday", "Travel", "Studio", "Heritage",
)
PRODUCT_COLOURS: tuple[str, ...] = (
    "Black", "White", "Navy", "Sage", "Charcoal", "Sand", "Red", "Graphite", "Oak", "Blue",
)
FEATURES: tuple[str, ...] = (
    "built to last", "easy to clean", "designed for everyday use", "with a two-year warranty",
    "made from recycled materials", "tested for durability", "compact enough to travel with",
    "backed by a 30-day return policy", "a customer favourite", "packed in plastic-free packaging",
)

EMAIL_DOMAINS: dict[str, tuple[str, ...]] = {
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com"),
    "CA": ("gmail.com", "outlook.com", "yahoo.ca", "example.ca"),
    "GB": ("gmail.com", "outlook.com", "btinternet.com", "example.co.uk"),
    "DE": ("gmail.com", "web.de", "gmx.de", "example.de"),
    "FR": ("gmail.com", "orange.fr", "free.fr", "example.fr"),
}
