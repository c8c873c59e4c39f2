"""Write-back: a plan of marks built from findings (``plan``) and its file renderer (``xlsx``)."""
