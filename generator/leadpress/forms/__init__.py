"""Lead-capture forms: definitions, HTML, checks shared by the browser and the service."""
