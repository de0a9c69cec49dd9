"""The Swedish demo municipality (Åmål): written by the Swedish municipality's work (issue 28), which replaces
this placeholder with `load_swedish()`. Until then `tik demo` loads only its organisation and leaders."""
