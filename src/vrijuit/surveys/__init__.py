"""Survey waves: analysts create and launch them, invitations and reminders go out by e-mail,
answers travel through an inbox into the reporting store (docs/surveys.md)."""
