import { render } from 'preact';

import { App } from './app';
import { setLanguage } from './i18n';
import './styles.css';

setLanguage(navigator.language.split('-')[0] ?? 'en');
const root = document.getElementById('app');
if (root) render(<App />, root);
