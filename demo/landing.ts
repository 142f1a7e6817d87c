// Opens a participant of a server room in a new tab.
const NAMES = ['Ada', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal'];
const form = document.getElementById('open-form') as HTMLFormElement;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
  const data = new FormData(form);
  const preset = submitter?.value ?? 'viewer';
  const fallback = preset === 'host' ? 'Hana' : NAMES[Math.floor(Math.random() * NAMES.length)]!;
  const name = String(data.get('name') || fallback);
  const params = new URLSearchParams({ room: String(data.get('room') || 'demo'), preset, name });
  window.open(`./live.html?${params}`, '_blank');
});
