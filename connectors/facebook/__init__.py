"""Facebook Pages through the Graph API and facebook-sdk."""
