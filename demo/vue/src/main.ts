import { createApp } from 'vue';
import '../../demo.css';
import App from './App.vue';

createApp(App).mount('#app');
