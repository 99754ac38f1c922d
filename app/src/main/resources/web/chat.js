// The chat page, as the reference's Gradio demo: one video, image or sound, questions about it with the history
// kept, Restart, the beams and temperature sliders. Each answer streams in from POST /v1/chat/completions
// (stream: true, server-sent events); the frames the model saw are shown under the upload after the first answer.

const $ = id => document.getElementById(id);

// The conversation as OpenAI's API takes it: the first user message carries the upload, every request repeats all.
const chat = { media: null, messages: [] };

function authHeaders() {
  const key = $('key').value;
  return key ? { Authorization: 'Bearer ' + key } : {};
}

function status(text) {
  $('status').textContent = text;
}

// The error message of a refused request (OpenAI's shape: {"error": {"message": ...}}).
async function errorOf(response) {
  try {
    return (await response.json()).error.message;
  } catch {
    return 'the server answered ' + response.status;
  }
}

for (const name of ['beams', 'temperature']) {
  $(name).oninput = () => { $(name + '-value').textContent = $(name).value; };
}

function readDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// The content part that carries the file: image_url, input_audio, or video_url (vLLM's extension).
async function mediaPart(file) {
  const url = await readDataUrl(file);
  if (file.type.startsWith('image/')) return { type: 'image_url', image_url: { url } };
  if (file.type.startsWith('audio/')) {
    return { type: 'input_audio', input_audio: { data: url.split(',')[1], format: file.name.split('.').pop() } };
  }
  return { type: 'video_url', video_url: { url } };
}

function showPreview(file) {
  const tag = file.type.startsWith('image/') ? 'img' : file.type.startsWith('audio/') ? 'audio' : 'video';
  const element = document.createElement(tag);
  element.src = URL.createObjectURL(file);
  element.controls = true;
  $('preview').replaceChildren(element);
}

function forgetConversation() {
  chat.messages = [];
  $('history').replaceChildren();
  $('frames').replaceChildren();
  $('file').disabled = $('audio').disabled = false;
  status('');
}

$('file').onchange = async () => {
  forgetConversation();
  const file = $('file').files[0];
  chat.media = file ? await mediaPart(file) : null;
  if (file) showPreview(file);
  else $('preview').replaceChildren();
};

// Restart, as the demo's: the upload and the conversation are forgotten.
$('restart').onclick = () => {
  forgetConversation();
  chat.media = null;
  $('file').value = '';
  $('preview').replaceChildren();
};

function addMessage(role, text) {
  const bubble = document.createElement('div');
  bubble.className = 'message ' + role;
  bubble.textContent = text;
  $('history').append(bubble);
  return bubble;
}

$('ask').onsubmit = async event => {
  event.preventDefault();
  const question = $('question').value.trim();
  if (!chat.media || !question) {
    status('Choose a video, image or sound first, then ask about it.');
    return;
  }
  const first = chat.messages.length === 0;
  chat.messages.push({ role: 'user', content: first ? [chat.media, { type: 'text', text: question }] : question });
  $('question').value = '';
  addMessage('user', question);
  const bubble = addMessage('assistant', '');
  // the upload is the conversation's: it stays until Restart, as in the demo
  $('file').disabled = $('audio').disabled = $('send').disabled = true;
  status('answering ...');
  try {
    chat.messages.push({ role: 'assistant', content: await streamAnswer(bubble) });
    status('');
    if (first) await showFrames();
  } catch (error) {
    chat.messages.pop();
    bubble.remove();
    if (first) $('file').disabled = $('audio').disabled = false; // no conversation yet: the upload may change
    status(error.message + (first ? '' : ' (Restart to begin again)'));
  } finally {
    $('send').disabled = false;
  }
};

// Sends the conversation and writes the answer into `bubble` as its pieces arrive; returns the whole answer.
async function streamAnswer(bubble) {
  const response = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...authHeaders() },
    body: JSON.stringify({
      messages: chat.messages,
      stream: true,
      max_tokens: 300, // the demo's max_new_tokens
      top_p: 0.9,
      num_beams: Number($('beams').value),
      temperature: Number($('temperature').value),
      use_audio_in_video: $('audio').checked && chat.media.type === 'video_url',
    }),
  });
  if (!response.ok) throw new Error(await errorOf(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = ''; // text of an event not complete yet
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return bubble.textContent;
    const events = (pending + value).split('\n\n');
    pending = events.pop();
    for (const event of events) {
      const data = event.replace(/^data: /, '');
      if (data === '[DONE]') return bubble.textContent;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message);
      bubble.textContent += chunk.choices[0]?.delta?.content ?? '';
    }
  }
}

// The frames the vision branch sampled, with the timestamps the prompt tells the model.
async function showFrames() {
  const response = await fetch('/v1/lab/frames', { headers: authHeaders() });
  if (!response.ok) return;
  const { frames } = await response.json();
  $('frames').replaceChildren(...frames.map(f => figure(f.picture, f.seconds !== undefined ? f.seconds + ' s' : 'image')));
}

function figure(src, caption) {
  const element = document.createElement('figure');
  const img = document.createElement('img');
  img.src = src;
  const text = document.createElement('figcaption');
  text.textContent = caption;
  element.append(img, text);
  return element;
}
