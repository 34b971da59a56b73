import { applyStoredTheme } from './components/theme-toggle/theme-toggle';
import './components/bank-app/bank-app';

applyStoredTheme();
