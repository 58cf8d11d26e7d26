from gaswarden.core.enums import LabeledEnum


class AreaLevel(LabeledEnum):
    DISTRICT = "district", "区/县", "District", "blue"
    TOWN = "town", "镇/街道", "Town / street", "teal"
    GRID = "grid", "网格", "Grid", "green"
