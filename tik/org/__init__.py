"""The municipality's organisation: units (a school, a kindergarten, PPT …), their service and leaders."""
